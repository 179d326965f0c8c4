/**
 * The public API of every package, recorded: one API Extractor report per entry point
 * of each package's `exports` (`api/core.api.md`, `api/core-testing.api.md`, ...), made
 * from the declarations `tsc -b` emits. A change to an exported type is then a diff of
 * that report in review.
 *
 *   node --import tsx tools/api-report.ts           # check: fails with the diff when the surface changed
 *   node --import tsx tools/api-report.ts --update  # rewrite the reports
 *
 * Run after `npm run build`. Entry points are read from the packages' `exports`, so a
 * new package or subpath needs no configuration here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const reportFolder = join(root, 'api');
const update = process.argv.includes('--update');

interface EntryPoint {
  packageDir: string;
  /** `core`, `core-testing`: the package name without its scope, then the subpath. */
  reportName: string;
  declarations: string;
}

function entryPoints(): EntryPoint[] {
  const entries: EntryPoint[] = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const packageDir = join(root, 'packages', dir);
    const manifestPath = join(packageDir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      name: string;
      exports?: Record<string, { types?: string }>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (target.types === undefined) continue;
      const suffix = subpath === '.' ? '' : `-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`;
      entries.push({
        packageDir,
        reportName: `${manifest.name.replace(/^@[^/]+\//, '')}${suffix}`,
        declarations: resolve(packageDir, target.types),
      });
    }
  }
  return entries;
}

function extractorConfig(entry: EntryPoint, tempFolder: string): ExtractorConfig {
  const configObject: IConfigFile = {
    projectFolder: entry.packageDir,
    mainEntryPointFilePath: entry.declarations,
    compiler: { tsconfigFilePath: join(entry.packageDir, 'tsconfig.json') },
    apiReport: {
      enabled: true,
      reportFileName: `${entry.reportName}.api.md`,
      reportFolder,
      reportTempFolder: tempFolder,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // The doc comments are plain prose, not TSDoc; the lint checks what they refer to.
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning },
        // No @public / @beta tags here: everything a package exports is its API.
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
        // A type the API uses but the entry point does not export: noted in the report.
        'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        // The report records signatures; whether each member has a doc comment is review's business.
        'ae-undocumented': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
      },
    },
  };
  return ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: undefined,
    packageJsonFullPath: join(entry.packageDir, 'package.json'),
  });
}

const tempFolder = mkdtempSync(join(tmpdir(), 'switchyard-api-'));
mkdirSync(reportFolder, { recursive: true });
const problems: string[] = [];
try {
  const entries = entryPoints();
  for (const entry of entries) {
    if (!existsSync(entry.declarations)) {
      problems.push(`${entry.reportName}: ${entry.declarations} is missing; run npm run build first`);
      continue;
    }
    const result = Extractor.invoke(extractorConfig(entry, tempFolder), {
      localBuild: update,
      messageCallback: (message) => {
        // Say only what needs doing; the report is the record.
        if (message.logLevel !== ExtractorLogLevel.Error && message.logLevel !== ExtractorLogLevel.Warning)
          message.handled = true;
        else if (message.messageId.startsWith('console-api-report-')) message.handled = true;
      },
    });
    if (!result.succeeded && !result.apiReportChanged)
      problems.push(`${entry.reportName}: API Extractor failed (${result.errorCount} errors)`);
    if (result.apiReportChanged) {
      const report = `api/${entry.reportName}.api.md`;
      if (update) {
        console.log(`${report} updated`);
      } else if (!existsSync(join(root, report))) {
        problems.push(`${entry.reportName}: ${report} does not exist yet`);
      } else {
        const built = join(tempFolder, `${entry.reportName}.api.md`);
        const diff = spawnSync(
          'diff',
          ['-u', '--label', report, '--label', `${report} as built`, join(root, report), built],
          { encoding: 'utf8' },
        );
        problems.push(`${entry.reportName}: the public API differs from ${report}:\n${diff.stdout}`);
      }
    }
  }
  const expected = new Set(entries.map((entry) => `${entry.reportName}.api.md`));
  for (const file of existsSync(reportFolder) ? readdirSync(reportFolder) : []) {
    if (expected.has(file)) continue;
    if (update) {
      rmSync(join(reportFolder, file));
      console.log(`api/${file} removed: no entry point has that name any more`);
    } else {
      problems.push(`api/${file}: no package entry point has that name any more`);
    }
  }
} finally {
  rmSync(tempFolder, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error('If the change is meant, run `npm run api:update` and commit the reports.');
  process.exitCode = 1;
} else if (!update) {
  console.log('api: every package exports what its report says');
}
