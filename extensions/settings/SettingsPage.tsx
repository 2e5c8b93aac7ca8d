import { hubspot } from '@hubspot/ui-extensions';
import { Settings } from './Settings.js';

hubspot.extend<'settings'>(() => <Settings />);
