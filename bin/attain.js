#!/usr/bin/env node
// The `attain` operator CLI. TypeScript sources run through tsx's loader, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
