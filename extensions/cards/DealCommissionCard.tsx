import { hubspot } from '@hubspot/ui-extensions';
import { DealCommission } from './DealCommission.js';

hubspot.extend<'crm.record.tab'>(() => <DealCommission />);
