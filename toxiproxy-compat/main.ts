// Process entry of the Toxiproxy-compatible server, a stand-in for toxiproxy-server where its binary
// or image cannot be had. Takes toxiproxy-server's flags in both spellings (-host=0.0.0.0 and
// --host 0.0.0.0), logs one line per event to stderr, and exits 0 on SIGTERM or SIGINT.
//   node --import tsx toxiproxy-compat/main.ts --host 0.0.0.0 --port 8474
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ExitCode, HarnessError, UsageError, errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { TOXIPROXY_VERSION } from './api.ts';
import { describeEvent } from './events.ts';
import type { ProxyInput } from './collection.ts';
import { decodeProxyList, parseBody } from './decode.ts';
import { DEFAULT_API_PORT, startToxiproxyCompat } from './server.ts';

const log = logger('toxiproxy-compat');

const usage = `usage: toxiproxy-compat [-host=localhost] [-port=8474] [-config=proxies.json] [-version]`;

interface Options {
  readonly host: string;
  readonly port: number;
  readonly config: string | undefined;
  readonly version: boolean;
}

/** Go's flag package takes -name and --name alike; parseArgs only knows --name. */
function normaliseFlags(argv: readonly string[]): string[] {
  return argv.map((arg) => (/^-[A-Za-z][\w-]+(=.*)?$/.test(arg) ? `-${arg}` : arg));
}

function parseOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: normaliseFlags(argv),
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        config: { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${errorMessage(err)}\n${usage}`);
  }
  if (values.help === true) throw new UsageError(usage);
  const portText = values.port ?? String(DEFAULT_API_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`invalid port ${JSON.stringify(portText)}: use 0-65535\n${usage}`);
  return { host: values.host ?? 'localhost', port, config: values.config, version: values.version === true };
}

/** Reads a -config file: the /populate array, checked by the same rules as the API. */
async function readConfig(path: string): Promise<ProxyInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config ${path}: ${errorMessage(err)}`);
  }
  try {
    return decodeProxyList(parseBody(text));
  } catch (err) {
    throw new UsageError(`config ${path}: ${errorMessage(err)}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.version) {
    process.stdout.write(`toxiproxy-compat (lockbench) ${TOXIPROXY_VERSION}\n`);
    return ExitCode.valid;
  }
  const proxies = options.config === undefined ? [] : await readConfig(options.config);
  const server = await startToxiproxyCompat({
    host: options.host,
    port: options.port,
    proxies,
    onEvent: (event) => {
      const line = describeEvent(event);
      log[line.level](line.message);
    },
  });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info(`${signal}: closing listeners and connections`);
  await server.close();
  return ExitCode.valid;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof HarnessError) {
      process.stderr.write(`toxiproxy-compat: ${err.message}\n`);
      process.exit(err.code === 'PROXY_API' ? ExitCode.usage : err.exitCode);
    }
    process.stderr.write(`toxiproxy-compat: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(ExitCode.crash);
  },
);
