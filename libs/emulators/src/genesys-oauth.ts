import { randomBytes } from 'node:crypto';
import type { HttpOutcome } from './http-server.js';
import { basicCredentials } from './request-body.js';

/** Genesys' commonly observed default token lifetime; each OAuth client sets its own (https://help.mypurecloud.com/articles/create-an-oauth-client/). */
const DEFAULT_TOKEN_TTL_S = 86_400;

interface OAuthClient {
  clientSecret: string;
  tokenTtlS: number;
}

interface IssuedToken {
  clientId: string;
  expiresAtMs: number;
}

/** OAuth client-credentials grant of the Genesys login host (`POST https://login.<region>/oauth/token`, as the Platform SDK's loginClientCredentialsGrant sends it: https://www.npmjs.com/package/purecloud-platform-client-v2). */
export class GenesysTokenIssuer {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly clock: () => number) {}

  addClient(clientId: string, clientSecret: string, options: { tokenTtlS?: number } = {}): void {
    this.clients.set(clientId, { clientSecret, tokenTtlS: options.tokenTtlS ?? DEFAULT_TOKEN_TTL_S });
  }

  /** Answers POST /oauth/token. */
  issue(authorizationHeader: string | undefined, formBody: string): HttpOutcome {
    const credentials = basicCredentials(authorizationHeader);
    const client = credentials ? this.clients.get(credentials.user) : undefined;
    if (!credentials || !client || client.clientSecret !== credentials.password) {
      return { status: 401, body: { error: 'invalid_client', description: 'client not found', error_description: 'client not found' } };
    }
    if (new URLSearchParams(formBody).get('grant_type') !== 'client_credentials') {
      const description = 'grant_type must be client_credentials';
      return { status: 400, body: { error: 'unsupported_grant_type', description, error_description: description } };
    }
    const accessToken = randomBytes(48).toString('base64url');
    this.tokens.set(accessToken, { clientId: credentials.user, expiresAtMs: this.clock() + client.tokenTtlS * 1000 });
    return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: client.tokenTtlS } };
  }

  isValid(accessToken: string): boolean {
    const token = this.tokens.get(accessToken);
    return token !== undefined && this.clock() < token.expiresAtMs;
  }

  /** Every token issued so far stops working, so clients must fetch a new one after a 401. */
  expireAll(): void {
    this.tokens.clear();
  }
}
