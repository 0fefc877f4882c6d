import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'synthetic-firehose', rootDir: import.meta.dirname };
