// Writes the API's OpenAPI document to docs/api/openapi.json, the snapshot the contract test
// compares the served document with. Run it when an API change is meant: the diff of the
// snapshot shows the change in review.
import fs from 'node:fs';
import path from 'node:path';
import { serverAppForContract } from '../test/support/server-fixture.ts';

const out = path.resolve('docs/api/openapi.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(serverAppForContract().document(), null, 2) + '\n');
console.log(`wrote ${out}`);
