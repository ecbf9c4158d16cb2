// Files in posts in Chromium, inside the LMS's iframe: a learner picks a photo and pastes a picture
// into the reply box (each sent at once, with progress), previews the text with the server's
// renderer, posts; the other learner sees the pictures appear live in their open thread. axe-core on
// the thread page with the composer. A profile photo uploaded on a phone-wide screen (390 px), axe-clean.
import { expect } from 'chai';
import sharp from 'sharp';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { fitsWidth, PHONE, seriousAxeViolations } from '../support/browser.ts';
import { lmsBrowserSuite, streamOpened } from '../support/lms-browser-suite.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Learner', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Learner', roles: [ROLES.learner] };
const course = { id: 'c-media', title: 'Media course' };

describe('files in posts in Chromium', function () {
  this.timeout(90_000);
  const { launchInBrowser } = lmsBrowserSuite({ course });

  it('attaches a picked photo and a pasted picture to a reply, previews it, and the other learner sees them live', async () => {
    const a = await launchInBrowser(ari, 'cohort-hub');
    const b = await launchInBrowser(bea, 'cohort-hub');
    const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2a6' } }).jpeg().toBuffer();
    const pasted = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#a26' } }).png().toBuffer();

    await a.tool.locator('[data-test=commons-link]').click();
    await a.tool.locator('input[name=title]').fill('Show your desk');
    await a.tool.locator('textarea[name=body]').fill('Where do you work out loud?');
    await a.tool.locator('[data-test=start-thread]').click();
    await a.tool.locator('[data-test=thread-page]').waitFor();

    await b.tool.locator('[data-test=commons-link]').click();
    await b.tool.locator('[data-test=thread] a', { hasText: 'Show your desk' }).click();
    await b.tool.locator('[data-test=thread-page]').waitFor();
    await streamOpened(b);

    // composer.js adds the toolbar and its file and paste listeners in one pass: there once this is.
    await a.tool.locator('[data-test=preview-toggle]').waitFor();
    // Picked with the file input: sent at once, then a ticked box in the form.
    await a.tool.locator('#reply-files').setInputFiles({ name: 'desk.jpg', mimeType: 'image/jpeg', buffer: photo });
    await a.tool.locator('[data-test=uploaded]', { hasText: 'desk.jpg' }).waitFor();
    // Pasted into the reply box.
    await a.tool.locator('#reply-body').evaluate((el, bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, [...pasted]);
    await a.tool.locator('[data-test=uploaded]', { hasText: 'pasted.png' }).waitFor();

    await a.tool.locator('#reply-body').fill('My **standing** desk, and the board.');
    await a.tool.locator('[data-test=preview-toggle]').click();
    await a.tool.locator('[data-test=preview] strong', { hasText: 'standing' }).waitFor();
    expect(await seriousAxeViolations(a.frame())).to.deep.equal([]);
    await a.tool.locator('[data-test=reply]').click();
    await a.tool.locator('[data-test=post]').nth(1).waitFor();
    expect(await a.tool.locator('[data-test=post]').nth(1).locator('[data-test=attachment] img').count()).to.equal(2);

    const live = b.tool.locator('[data-live-posts] [data-test=post]');
    await live.waitFor();
    const images = live.locator('[data-test=attachment] img');
    expect(await images.count()).to.equal(2);
    // The thumbnails load (from behind the access check, inside the iframe's session); lazily, so once in view.
    await images.last().scrollIntoViewIfNeeded();
    await b.frame().waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-live-posts] [data-test=attachment] img')].every((i) => i.complete && i.naturalWidth > 0));
    expect(await images.first().getAttribute('alt')).to.equal('desk.jpg');
    expect(await seriousAxeViolations(b.frame())).to.deep.equal([]);
  });

  it('takes a profile photo on a phone-wide screen (390 px), shows it, and removes it after asking', async () => {
    const a = await launchInBrowser(ari, 'cohort-hub');
    await a.page.setViewportSize(PHONE.viewport);
    const face = await sharp({ create: { width: 900, height: 1200, channels: 3, background: '#46a' } }).jpeg().toBuffer();
    await a.tool.locator('a', { hasText: 'Your profile' }).first().click();
    await a.tool.locator('[data-test=photo-form]').waitFor();
    expect(await a.tool.locator('[data-test=profile-photo] span.avatar').textContent()).to.equal('AL');
    expect(await seriousAxeViolations(a.frame()), 'the form, before').to.deep.equal([]);
    await a.tool.locator('#photo-file').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: face });
    await a.tool.locator('[data-test=upload-photo]').click();
    await a.tool.locator('[data-test=photo-saved]').waitFor();
    await a.frame().waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-test=profile-photo] img.avatar');
      return img !== null && img.complete && img.naturalWidth === 256;
    });
    expect(await fitsWidth(a.frame()), 'nothing scrolls sideways').to.equal(true);
    expect(await seriousAxeViolations(a.frame()), 'the form, with a photo').to.deep.equal([]);
    await a.tool.locator('[data-test=remove-photo]').click();
    await a.tool.locator('[data-test=confirm-button]').click();
    await a.tool.locator('[data-test=photo-removed]').waitFor();
    expect(await a.tool.locator('[data-test=profile-photo] img.avatar').count()).to.equal(0);
  });
});
