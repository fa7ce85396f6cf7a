export * from './key-material';
export * from './license-document';
export * from './license-formats';
export * from './signing.service';
