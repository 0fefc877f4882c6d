import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'ingest', rootDir: import.meta.dirname };
