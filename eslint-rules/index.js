// The repository's own ESLint rules, used by eslint.config.js as the `local` plugin.
import layers from './layers.js';
import noCycle from './no-cycle.js';

export default { meta: { name: 'local' }, rules: { layers, 'no-cycle': noCycle } };
