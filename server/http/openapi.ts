/** The OpenAPI 3 document, generated from the same zod schemas the endpoints validate with. */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A per-tenant API token (`attain token create`). Shown once; stored hashed.',
  });
  return registry;
}

export function generateDocument(
  registry: OpenAPIRegistry,
  serverUrl: string | undefined,
): ReturnType<OpenApiGeneratorV3['generateDocument']> {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Attain API',
      version: '1',
      description:
        'Sales performance management: attainment, earnings with explanations, plans, quotas and data import. Money and ratios are decimal strings ("1080000.00", attainment "1.2" = 120 %).',
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
    security: [{ bearerToken: [] }],
  });
}
