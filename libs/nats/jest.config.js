import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'nats', rootDir: import.meta.dirname };
