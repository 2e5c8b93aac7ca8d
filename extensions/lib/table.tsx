/** The views' tables all have one header row of column titles and one row of cells per item; only the columns differ. */
import type { ReactNode } from 'react';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@hubspot/ui-extensions';

export interface Column<T> {
  title: string;
  cell: (row: T) => ReactNode;
}

export function RowsTable<T>({
  columns,
  rows,
  rowKey,
  bordered = true,
  testId,
  footer,
}: {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  bordered?: boolean;
  testId?: string;
  /** A TableFooter, e.g. totals. */
  footer?: ReactNode;
}) {
  return (
    <Table bordered={bordered} {...(testId ? { testId } : {})}>
      <TableHead>
        <TableRow>
          {columns.map((c, i) => (
            <TableHeader key={i}>{c.title}</TableHeader>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={rowKey(r)}>
            {columns.map((c, i) => (
              <TableCell key={i}>{c.cell(r)}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
      {footer}
    </Table>
  );
}
