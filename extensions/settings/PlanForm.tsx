/**
 * The structured editor of a plan's draft version: components with their rate tables, caps and gates, then
 * bonuses, SPIFs, the draw and the clawback schedule. It edits the same draft object the JSON view shows and
 * computes nothing: the server's check / preview / publish validate. Values stay decimal strings as typed.
 * Field paths are relative to the draft version, the same paths the plan schema's messages use after
 * `plan.versions.<n>.`, so a message lands next to its field.
 */
import {
  Accordion,
  Button,
  Flex,
  Heading,
  Input,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import type { Labels } from '../i18n/index.js';
import { getAt, listAt, pathKey, setAt, textAt, type Path } from '../lib/draft.js';

export type Draft = Record<string, unknown>;
type Form = Labels['settings']['form'];

interface Ctx {
  draft: Draft;
  onChange: (next: Draft) => void;
  errors: ReadonlyMap<string, string>;
  f: Form;
}

const set = (ctx: Ctx, path: Path, value: unknown) => ctx.onChange(setAt(ctx.draft, path, value) as Draft);

/** A text field bound to `path`. Optional fields are removed from the draft when emptied. */
function Field({
  ctx,
  path,
  label,
  optional,
  toValue,
}: {
  ctx: Ctx;
  path: Path;
  label: string;
  optional?: boolean;
  toValue?: (text: string) => unknown;
}) {
  const key = pathKey(path);
  const message = ctx.errors.get(key);
  return (
    <Input
      label={label}
      name={key}
      testId={key}
      value={textAt(ctx.draft, path)}
      error={message !== undefined}
      validationMessage={message ?? ''}
      onChange={(text) => set(ctx, path, optional && text === '' ? undefined : toValue ? toValue(text) : text)}
    />
  );
}

function Choice({
  ctx,
  path,
  label,
  options,
  fallback,
  onPick,
}: {
  ctx: Ctx;
  path: Path;
  label: string;
  options: { label: string; value: string }[];
  fallback: string;
  onPick?: (value: string) => void;
}) {
  const key = pathKey(path);
  const message = ctx.errors.get(key);
  const current = getAt(ctx.draft, path);
  return (
    <Select
      label={label}
      name={key}
      testId={key}
      value={typeof current === 'string' ? current : fallback}
      options={options}
      error={message !== undefined}
      validationMessage={message ?? ''}
      onChange={(v) => (onPick ? onPick(String(v)) : set(ctx, path, String(v)))}
    />
  );
}

function AddButton({ ctx, path, item, label }: { ctx: Ctx; path: Path; item: unknown; label: string }) {
  return (
    <Button
      size="sm"
      testId={`add:${pathKey(path)}`}
      onClick={() => set(ctx, path, [...listAt(ctx.draft, path), item])}
    >
      {label}
    </Button>
  );
}

function RemoveButton({ ctx, path }: { ctx: Ctx; path: Path }) {
  return (
    <Button
      size="sm"
      variant="destructive"
      testId={`remove:${pathKey(path)}`}
      onClick={() => set(ctx, path, undefined)}
    >
      {ctx.f.remove}
    </Button>
  );
}

/** Whole months are JSON integers in the schema; anything else stays text so the server names the problem. */
const monthsValue = (text: string): unknown => (/^\d{1,4}$/.test(text) ? Number(text) : text);

function Tiers({ ctx, base }: { ctx: Ctx; base: Path }) {
  const { f } = ctx;
  const tiers = listAt(ctx.draft, [...base, 'tiers']);
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'demibold' }}>{f.tiers}</Text>
      {tiers.length > 0 && (
        <Table bordered>
          <TableHead>
            <TableRow>
              <TableHeader>{f.from}</TableHeader>
              <TableHeader>{f.to}</TableHeader>
              <TableHeader>{f.rate}</TableHeader>
              <TableHeader>{f.multiplier}</TableHeader>
              <TableHeader>{''}</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {tiers.map((_, t) => {
              const p = [...base, 'tiers', t];
              return (
                <TableRow key={t}>
                  <TableCell>
                    <Field ctx={ctx} path={[...p, 'from']} label={f.from} />
                  </TableCell>
                  <TableCell>
                    <Field ctx={ctx} path={[...p, 'to']} label={f.to} toValue={(s) => (s === '' ? null : s)} />
                  </TableCell>
                  <TableCell>
                    <Field ctx={ctx} path={[...p, 'rate']} label={f.rate} />
                  </TableCell>
                  <TableCell>
                    <Field ctx={ctx} path={[...p, 'multiplier']} label={f.multiplier} optional />
                  </TableCell>
                  <TableCell>
                    <RemoveButton ctx={ctx} path={p} />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      <Text variant="microcopy">{f.tierHint}</Text>
      <AddButton ctx={ctx} path={[...base, 'tiers']} item={{ from: '', to: null, rate: '' }} label={f.addTier} />
    </Flex>
  );
}

const CAP_LIMIT = (kind: unknown) => (kind === 'attainment' ? 'maxAttainment' : 'amount');

function Caps({ ctx, base }: { ctx: Ctx; base: Path }) {
  const { f } = ctx;
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'demibold' }}>{f.caps}</Text>
      {listAt(ctx.draft, [...base, 'caps']).map((cap, i) => {
        const p = [...base, 'caps', i];
        const kind = getAt(cap, ['kind']);
        return (
          <Flex key={i} direction="row" gap="sm" align="end">
            <Choice
              ctx={ctx}
              path={[...p, 'kind']}
              label={f.capKind}
              fallback="perPeriod"
              options={(['perPeriod', 'perTransaction', 'perCustomer', 'attainment'] as const).map((k) => ({
                value: k,
                label: f.capKinds[k],
              }))}
              onPick={(k) => set(ctx, p, { kind: k, [CAP_LIMIT(k)]: textAt(cap, [CAP_LIMIT(kind)]) })}
            />
            <Field ctx={ctx} path={[...p, CAP_LIMIT(kind)]} label={f.limit} />
            <RemoveButton ctx={ctx} path={p} />
          </Flex>
        );
      })}
      <AddButton ctx={ctx} path={[...base, 'caps']} item={{ kind: 'perPeriod', amount: '' }} label={f.addCap} />
    </Flex>
  );
}

function Gates({ ctx, base }: { ctx: Ctx; base: Path }) {
  const { f } = ctx;
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'demibold' }}>{f.gates}</Text>
      {listAt(ctx.draft, [...base, 'gates']).map((_, i) => (
        <Flex key={i} direction="row" gap="sm" align="end">
          <Field ctx={ctx} path={[...base, 'gates', i, 'minAttainment']} label={f.minAttainment} />
          <RemoveButton ctx={ctx} path={[...base, 'gates', i]} />
        </Flex>
      ))}
      <AddButton ctx={ctx} path={[...base, 'gates']} item={{ minAttainment: '' }} label={f.addGate} />
    </Flex>
  );
}

function ComponentForm({ ctx, index, removable }: { ctx: Ctx; index: number; removable: boolean }) {
  const { f } = ctx;
  const base: Path = ['components', index];
  const rates: Path = [...base, 'rates'];
  const title = textAt(ctx.draft, [...base, 'name']) || textAt(ctx.draft, [...base, 'id']) || f.component;
  return (
    <Accordion title={title} defaultOpen={index === 0}>
      <Flex direction="column" gap="sm">
        <Flex direction="row" gap="sm">
          <Field ctx={ctx} path={[...base, 'id']} label={f.id} />
          <Field ctx={ctx} path={[...base, 'name']} label={f.name} />
        </Flex>
        <Flex direction="row" gap="sm">
          <Choice
            ctx={ctx}
            path={[...rates, 'application']}
            label={f.application}
            fallback="marginal"
            options={(['marginal', 'retroactive', 'interpolated'] as const).map((v) => ({
              value: v,
              label: f.applications[v],
            }))}
          />
          <Choice
            ctx={ctx}
            path={[...rates, 'axis']}
            label={f.axis}
            fallback="attainment"
            options={(['attainment', 'amount', 'count'] as const).map((v) => ({ value: v, label: f.axes[v] }))}
          />
          <Choice
            ctx={ctx}
            path={[...rates, 'input']}
            label={f.input}
            fallback="period"
            options={(['period', 'transaction', 'year'] as const).map((v) => ({ value: v, label: f.inputs[v] }))}
          />
        </Flex>
        <Tiers ctx={ctx} base={rates} />
        <Caps ctx={ctx} base={base} />
        <Gates ctx={ctx} base={base} />
        {removable && <RemoveButton ctx={ctx} path={base} />}
      </Flex>
    </Accordion>
  );
}

function Bonuses({ ctx }: { ctx: Ctx }) {
  const { f } = ctx;
  const components = listAt(ctx.draft, ['components']).map((c) => textAt(c, ['id']));
  return (
    <Tile compact>
      <Heading>{f.bonuses}</Heading>
      {listAt(ctx.draft, ['bonuses']).map((bonus, i) => {
        const p = ['bonuses', i];
        return getAt(bonus, ['kind']) === 'milestone' ? (
          <Flex key={i} direction="row" gap="sm" align="end">
            <Field ctx={ctx} path={[...p, 'id']} label={f.id} />
            <Field ctx={ctx} path={[...p, 'name']} label={f.name} />
            <Choice
              ctx={ctx}
              path={[...p, 'componentId']}
              label={f.component}
              fallback=""
              options={components.map((c) => ({ value: c, label: c }))}
            />
            <Field ctx={ctx} path={[...p, 'minAttainment']} label={f.minAttainment} />
            <Field ctx={ctx} path={[...p, 'amount']} label={f.amount} />
            <RemoveButton ctx={ctx} path={p} />
          </Flex>
        ) : (
          <Text key={i}>{f.inJsonOnly(textAt(bonus, ['name']) || textAt(bonus, ['id']))}</Text>
        );
      })}
      <AddButton
        ctx={ctx}
        path={['bonuses']}
        item={{ id: '', name: '', componentId: components[0] ?? '', kind: 'milestone', minAttainment: '', amount: '' }}
        label={f.addBonus}
      />
    </Tile>
  );
}

const SPIF_VALUE = (kind: unknown) => (kind === 'percentOfRevenue' ? 'rate' : 'amount');

function Spifs({ ctx }: { ctx: Ctx }) {
  const { f } = ctx;
  return (
    <Tile compact>
      <Heading>{f.spifs}</Heading>
      {listAt(ctx.draft, ['spifs']).map((spif, i) => {
        const p = ['spifs', i];
        const kind = getAt(spif, ['payout', 'kind']);
        const simple = kind === 'perDeal' || kind === 'percentOfRevenue';
        return (
          <Flex key={i} direction="row" gap="sm" align="end" wrap="wrap">
            <Field ctx={ctx} path={[...p, 'id']} label={f.id} />
            <Field ctx={ctx} path={[...p, 'name']} label={f.name} />
            <Field ctx={ctx} path={[...p, 'from']} label={f.windowFrom} />
            <Field ctx={ctx} path={[...p, 'to']} label={f.windowTo} />
            {simple ? (
              <>
                <Choice
                  ctx={ctx}
                  path={[...p, 'payout', 'kind']}
                  label={f.payout}
                  fallback="perDeal"
                  options={(['perDeal', 'percentOfRevenue'] as const).map((k) => ({ value: k, label: f.spifKinds[k] }))}
                  onPick={(k) =>
                    set(ctx, [...p, 'payout'], { kind: k, [SPIF_VALUE(k)]: textAt(spif, ['payout', SPIF_VALUE(kind)]) })
                  }
                />
                <Field
                  ctx={ctx}
                  path={[...p, 'payout', SPIF_VALUE(kind)]}
                  label={kind === 'percentOfRevenue' ? f.rate : f.amount}
                />
              </>
            ) : (
              <Text>{f.inJsonOnly(f.payout)}</Text>
            )}
            <RemoveButton ctx={ctx} path={p} />
          </Flex>
        );
      })}
      <AddButton
        ctx={ctx}
        path={['spifs']}
        item={{ id: '', name: '', from: '', to: '', payout: { kind: 'perDeal', amount: '' } }}
        label={f.addSpif}
      />
    </Tile>
  );
}

function DrawForm({ ctx }: { ctx: Ctx }) {
  const { f } = ctx;
  const draw = getAt(ctx.draft, ['draw']);
  return (
    <Tile compact>
      <Heading>{f.draw}</Heading>
      {draw === undefined ? (
        <Button size="sm" testId="add:draw" onClick={() => set(ctx, ['draw'], { kind: 'recoverable', amount: '' })}>
          {f.addDraw}
        </Button>
      ) : (
        <Flex direction="row" gap="sm" align="end">
          <Field ctx={ctx} path={['draw', 'amount']} label={f.amount} />
          <Choice
            ctx={ctx}
            path={['draw', 'kind']}
            label={f.recoverable}
            fallback="recoverable"
            options={[
              { value: 'recoverable', label: f.yes },
              { value: 'nonRecoverable', label: f.no },
            ]}
          />
          <RemoveButton ctx={ctx} path={['draw']} />
        </Flex>
      )}
    </Tile>
  );
}

function ClawbackForm({ ctx }: { ctx: Ctx }) {
  const { f } = ctx;
  const schedule: Path = ['clawback', 'schedule'];
  return (
    <Tile compact>
      <Heading>{f.clawback}</Heading>
      {listAt(ctx.draft, schedule).map((_, i) => (
        <Flex key={i} direction="row" gap="sm" align="end">
          <Field
            ctx={ctx}
            path={[...schedule, i, 'monthsSinceCloseBelow']}
            label={f.monthsBelow}
            toValue={monthsValue}
          />
          <Field ctx={ctx} path={[...schedule, i, 'percent']} label={f.percent} />
          <RemoveButton ctx={ctx} path={[...schedule, i]} />
        </Flex>
      ))}
      <AddButton ctx={ctx} path={schedule} item={{ monthsSinceCloseBelow: '', percent: '' }} label={f.addClawbackRow} />
    </Tile>
  );
}

/** Every field path the form shows for `draft`, so messages for other paths go to the list instead. */
export function formFieldPaths(draft: Draft): Set<string> {
  const paths: Path[] = [['id']];
  listAt(draft, ['components']).forEach((c, i) => {
    const base = ['components', i];
    paths.push(
      [...base, 'id'],
      [...base, 'name'],
      [...base, 'rates', 'application'],
      [...base, 'rates', 'axis'],
      [...base, 'rates', 'input'],
    );
    listAt(c, ['rates', 'tiers']).forEach((_, t) =>
      ['from', 'to', 'rate', 'multiplier'].forEach((k) => paths.push([...base, 'rates', 'tiers', t, k])),
    );
    listAt(c, ['caps']).forEach((cap, k) =>
      paths.push([...base, 'caps', k, 'kind'], [...base, 'caps', k, CAP_LIMIT(getAt(cap, ['kind']))]),
    );
    listAt(c, ['gates']).forEach((_, g) => paths.push([...base, 'gates', g, 'minAttainment']));
  });
  listAt(draft, ['bonuses']).forEach((b, i) => {
    if (getAt(b, ['kind']) === 'milestone')
      ['id', 'name', 'componentId', 'minAttainment', 'amount'].forEach((k) => paths.push(['bonuses', i, k]));
  });
  listAt(draft, ['spifs']).forEach((s, i) => {
    ['id', 'name', 'from', 'to'].forEach((k) => paths.push(['spifs', i, k]));
    const kind = getAt(s, ['payout', 'kind']);
    if (kind === 'perDeal' || kind === 'percentOfRevenue')
      paths.push(['spifs', i, 'payout', 'kind'], ['spifs', i, 'payout', SPIF_VALUE(kind)]);
  });
  if (getAt(draft, ['draw']) !== undefined) paths.push(['draw', 'amount'], ['draw', 'kind']);
  listAt(draft, ['clawback', 'schedule']).forEach((_, i) =>
    paths.push(['clawback', 'schedule', i, 'monthsSinceCloseBelow'], ['clawback', 'schedule', i, 'percent']),
  );
  return new Set(paths.map(pathKey));
}

export function PlanForm({
  draft,
  onChange,
  errors,
  labels,
}: {
  draft: Draft;
  onChange: (next: Draft) => void;
  errors: ReadonlyMap<string, string>;
  labels: Labels;
}) {
  const f = labels.settings.form;
  const ctx: Ctx = { draft, onChange, errors, f };
  const components = listAt(draft, ['components']);
  return (
    <Flex direction="column" gap="sm">
      <Field ctx={ctx} path={['id']} label={f.versionId} />
      <Heading>{f.components}</Heading>
      {components.map((_, i) => (
        <ComponentForm key={i} ctx={ctx} index={i} removable={components.length > 1} />
      ))}
      <AddButton
        ctx={ctx}
        path={['components']}
        item={{ id: '', name: '', rates: { tiers: [] } }}
        label={f.addComponent}
      />
      <Bonuses ctx={ctx} />
      <Spifs ctx={ctx} />
      <DrawForm ctx={ctx} />
      <ClawbackForm ctx={ctx} />
    </Flex>
  );
}
