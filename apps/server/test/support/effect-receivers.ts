import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@atrium/engine';
import { SMTPServer } from 'smtp-server';

/** One request as the webhook receiver saw it. */
export interface Delivery {
  key: string;
  body: string;
  signed: boolean;
}

/**
 * A real HTTP receiver on loopback, as a careful customer writes one: it checks the signature,
 * answers 500 while `down`, can hold a request unanswered (`hold`), and dedupes on the
 * `Idempotency-Key` header: `deliveries` is every request that arrived, `processed` the events
 * it acted on (each key once).
 */
export class WebhookReceiver {
  down = false;
  /** While set, requests arrive (and are recorded) but get no answer. */
  hold = false;
  secret = '';
  readonly deliveries: Delivery[] = [];
  readonly processed: string[] = [];
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;
  url = '';
  /** Called on every arrival (after it is recorded). */
  onArrival: () => void = () => {};

  async start(): Promise<void> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const key = String(req.headers['idempotency-key']);
        const signed = verifyWebhook(
          this.secret,
          {
            timestamp: req.headers['x-atrium-timestamp'] as string | undefined,
            signature: req.headers['x-atrium-signature'] as string | undefined,
          },
          body,
        );
        this.deliveries.push({ key, body, signed });
        this.onArrival();
        if (this.hold) {
          this.held.push(res);
          return;
        }
        if (this.down || !signed) {
          res.statusCode = this.down ? 503 : 401;
          res.end();
          return;
        }
        if (!this.processed.includes(key)) this.processed.push(key);
        res.end('ok');
      });
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  reset(): void {
    this.deliveries.length = 0;
    this.processed.length = 0;
    this.down = false;
    this.hold = false;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

/** One mail the SMTP server accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | undefined;
}

/** A real SMTP server on loopback (no TLS, no auth) that keeps what it receives. */
export class MailReceiver {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, done) => {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (raw += c));
        stream.on('end', () => {
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId: /^message-id:\s*(\S+)/im.exec(raw)?.[1],
          });
          done();
        });
      },
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    this.port = (server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}
