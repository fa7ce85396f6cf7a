/**
 * The generated SDK (sdk/src, made for browsers and Node alike) names the DOM's `BodyInit`; this
 * project compiles without the DOM library, and Node's own fetch accepts the same bodies.
 */
type BodyInit = NonNullable<RequestInit['body']>;
