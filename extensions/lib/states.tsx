/** Loading and error states shared by every view, so they look and read the same everywhere. */
import { Button, ErrorState, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import type { Labels } from '../i18n/index.js';

export function Loading({ labels }: { labels: Labels }) {
  return <LoadingSpinner label={labels.loading} layout="centered" testId="loading" />;
}

export function Failed({ labels, message, onRetry }: { labels: Labels; message: string; onRetry: () => void }) {
  return (
    <ErrorState title={labels.errorTitle} testId="error">
      <Text>{message}</Text>
      <Button onClick={onRetry} testId="retry">
        {labels.retry}
      </Button>
    </ErrorState>
  );
}
