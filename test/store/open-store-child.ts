// Child process for the lock test: tries to open the data dir given as argv[2]; prints the refusal, exits 3.
import { DataDirLockedError, openStore } from '../../server/store/index.js';

try {
  const store = await openStore({ dataDir: process.argv[2] });
  await store.close();
  process.exit(0);
} catch (error) {
  console.log(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof DataDirLockedError ? 3 : 1);
}
