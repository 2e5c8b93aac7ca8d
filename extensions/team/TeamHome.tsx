import { hubspot } from '@hubspot/ui-extensions';
import { TeamAttainment } from './TeamAttainment.js';

hubspot.extend<'home'>(() => <TeamAttainment />);
