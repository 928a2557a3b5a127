// A local OpenID Connect provider for Walkout's hosted sign-in tests.
//
// It serves one public native client that must use PKCE, and one test shopper. It listens on
// 127.0.0.1 only, on PORT (0 picks a free port), and prints `READY <issuer>` on stdout once it
// accepts requests. The login page is a plain HTML form, so a test can sign in with an HTTP client
// and a cookie jar, as a browser would. Consent is granted with the login, because the tests
// exercise the client, not the consent screen. Nothing here is fit for production use: keys are
// generated at start and all state is in memory.

import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const CLIENT_ID = process.env.OIDC_CLIENT_ID || 'walkout-test';
const USER_EMAIL = process.env.OIDC_USER_EMAIL || 'shopper@example.com';
const USER_PASSWORD = process.env.OIDC_USER_PASSWORD || 'correct horse battery staple';
const USER_SUB = 'test-shopper-1';
const port = Number(process.env.PORT || 0);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'walkout-test-rs256', use: 'sig', alg: 'RS256' };

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message) {
  const notice = message ? `<p role="alert">${escapeHtml(message)}</p>` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>
<h1>Sign in to the Walkout test provider</h1>${notice}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<input type="email" name="login" autocomplete="username">
<input type="password" name="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 16384) {
        reject(new Error('form body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

async function showLogin(provider, req, res, uid) {
  await provider.interactionDetails(req, res);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(loginPage(uid));
}

async function submitLogin(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  const form = await readForm(req);
  if (form.get('login') !== USER_EMAIL || form.get('password') !== USER_PASSWORD) {
    console.log(`login rejected for interaction ${uid}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, 'Invalid email or password.'));
    return;
  }
  const grant = new provider.Grant({ accountId: USER_SUB, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope || 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: USER_SUB },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

async function handleInteraction(provider, req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const match = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
  if (!match) {
    return false;
  }
  const [, uid, login] = match;
  try {
    if (req.method === 'GET' && !login) {
      await showLogin(provider, req, res, uid);
    } else if (req.method === 'POST' && login) {
      await submitLogin(provider, req, res, uid);
    } else {
      res.writeHead(405).end();
    }
  } catch (error) {
    console.log(`interaction ${uid} failed: ${error.name}: ${error.message}`);
    if (!res.headersSent) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${error.name}`);
    }
  }
  return true;
}

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.walkout:/callback'],
    }],
    jwks: { keys: [signingKey] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Put the scope's claims in the ID token, as Cognito does, instead of only in userinfo.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => (sub !== USER_SUB ? undefined : {
      accountId: sub,
      claims: async () => ({ sub, email: USER_EMAIL, email_verified: true, name: 'Test Shopper' }),
    }),
    // A native app keeps its session across restarts, so refresh tokens come without offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { AccessToken: 600, IdToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 86400 },
  });
  provider.on('server_error', (_ctx, error) => console.log(`server error: ${error.message}`));
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (!(await handleInteraction(provider, req, res))) {
      callback(req, res);
    }
  });
  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
