// Files for the media tests, made in memory: a phone photo with GPS EXIF, a PDF, an MP4.
import sharp from 'sharp';

/** A phone photo: 2400×1600 JPEG carrying EXIF with the camera owner and a GPS position. */
export function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#3a7' } })
    .jpeg()
    .withExif({ IFD0: { Artist: 'Ada secret camera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
    .toBuffer();
}

export function pdfOf(bytes: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length - 6), 0x20), Buffer.from('\n%%EOF')]);
}

/** An MP4 file's beginning (an ftyp box) and `bytes` in all of made-up content. */
export function mp4Of(bytes: number): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isommp41')]);
  const body = Buffer.alloc(bytes - ftyp.length);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) % 251;
  return Buffer.concat([ftyp, body]);
}
