import Fastify from 'fastify';
import { registerEnvelope } from './envelope.hook';

describe('registerEnvelope', () => {
  const app = Fastify();
  registerEnvelope(app);
  app.get('/v1/things', async () => ({ things: [1, 2], totalThingsCount: 2 }));
  app.get('/v1/created', async () => ({ thingId: 7, message: 'Store this now' }));
  app.get('/v1/failed', async (_request, reply) =>
    reply.status(409).send({ success: false, code: 502, message: 'in use' }),
  );
  app.get('/swagger-json', async () => ({ openapi: '3.0.0' }));
  app.get('/v1/text', async () => 'plain');
  afterAll(() => app.close());

  it('wraps a payload in the success envelope', async () => {
    const response = await app.inject('/v1/things');
    expect(response.json()).toEqual({ success: true, code: 0, message: 'OK', things: [1, 2], totalThingsCount: 2 });
  });

  it("keeps a handler's own message", async () => {
    expect((await app.inject('/v1/created')).json()).toEqual({
      success: true,
      code: 0,
      message: 'Store this now',
      thingId: 7,
    });
  });

  it('leaves failures, the API document and non-objects alone', async () => {
    expect((await app.inject('/v1/failed')).json()).toEqual({ success: false, code: 502, message: 'in use' });
    expect((await app.inject('/swagger-json')).json()).toEqual({ openapi: '3.0.0' });
    expect((await app.inject('/v1/text')).body).toBe('plain');
  });
});
