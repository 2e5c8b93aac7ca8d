import { hubspot } from '@hubspot/ui-extensions';
import { ContactQuota } from './ContactQuota.js';

hubspot.extend<'crm.record.sidebar'>(() => <ContactQuota />);
