// A real S3-compatible server for the tests (npm s3rver: S3's HTTP API over a folder), on a free
// port of the loopback, with one bucket; its folder is removed when it closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  url: string;
  bucket: string;
  /** The settings for S3MediaStorage, and as environment variables for the app. */
  settings: { url: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; prefix: string };
  env: Record<string, string>;
  directory: string;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'circlework-media'): Promise<TestS3> {
  const directory = mkdtempSync(path.join(tmpdir(), 'circlework-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  // s3rver checks signatures made with its fixed credentials.
  const settings = { url, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', prefix: 'media/' };
  return {
    url,
    bucket,
    settings,
    env: { S3_URL: url, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_PREFIX: 'media/' },
    directory,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
