/**
 * ReportStore over a local folder (the `npm run report` CLI): the same port as the S3 store, so the CLI
 * runs the report use case unchanged. Keys are paths relative to the folder (FLAT_LAYOUT: `all-nodes.csv`,
 * `node-<id>.csv`, `report.html`). The flat layout keeps no history; a layout that does finds it here
 * as JSON files, and a missing or malformed one counts as no history, like S3's NoSuchKey.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FleetSummary, TrackingState } from '../domain/report/summary';
import type { ReportObject, ReportStore } from '../ports/reports';

export class FileReportStore implements ReportStore {
  constructor(readonly folder: string) {}

  /** Where a key lands on disk. */
  pathOf(key: string): string {
    return join(this.folder, key);
  }

  async put(object: ReportObject): Promise<void> {
    const path = this.pathOf(object.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, object.body, 'utf8');
  }

  async loadTracking(key: string): Promise<TrackingState | null> {
    const value = await this.readJson(key);
    return value !== null && typeof value === 'object' && typeof (value as TrackingState).generatedAt === 'string' ? (value as TrackingState) : null;
  }

  async loadSummaries(keys: readonly string[]): Promise<FleetSummary[]> {
    const found: FleetSummary[] = [];
    for (const key of keys) {
      const value = await this.readJson(key);
      if (value !== null && typeof value === 'object' && typeof (value as FleetSummary).date === 'string') found.push(value as FleetSummary);
    }
    return found.sort((a, b) => a.date.localeCompare(b.date));
  }

  private async readJson(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(this.pathOf(key), 'utf8')) as unknown;
    } catch {
      return null;
    }
  }
}
