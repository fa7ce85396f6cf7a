export * from './api-response.dto';
export * from './envelope.hook';
