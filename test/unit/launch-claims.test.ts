// The AGS and deep-linking parts of the launch claims, in the shapes real platforms send them.
import { expect } from 'chai';
import { LaunchClaims, toLaunch } from '../../lti/launch-claims.ts';

const C = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const SCOPES = ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'];
const LINEITEMS = 'http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=3';

function claims(extra: Record<string, unknown>): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'http://127.0.0.1:8080', aud: 'B9yt3StQpf66PdJ', sub: '4', exp: now + 60, iat: now, nonce: 'n',
    [`${C}message_type`]: 'LtiResourceLinkRequest', [`${C}version`]: '1.3.0', [`${C}deployment_id`]: '3', [`${C}roles`]: [],
    [`${C}resource_link`]: { id: '8' }, [`${C}context`]: { id: '2', title: 'CW101' },
    ...extra,
  };
}
const parse = (extra: Record<string, unknown>) => toLaunch(LaunchClaims.parse(claims(extra)), 'B9yt3StQpf66PdJ');

describe('launch claims: AGS and deep linking', () => {
  it('Moodle surprise 1 (lineitem is an empty string): keeps the line-items URL and scopes, with no line item', () => {
    expect(parse({ [AGS]: { scope: SCOPES, lineitems: LINEITEMS, lineitem: '' } }).ags).to.deep.equal({ scopes: SCOPES, lineitems: LINEITEMS, lineitem: undefined });
  });

  it('drops only the malformed field of the AGS claim', () => {
    expect(parse({ [AGS]: { scope: SCOPES, lineitems: 'not a url', lineitem: `${LINEITEMS.replace('?', '/8/lineitem?')}` } }).ags).to.deep.include({ scopes: SCOPES, lineitems: undefined });
    expect(parse({ [AGS]: { scope: 'score', lineitems: LINEITEMS } }).ags).to.deep.equal({ scopes: [], lineitems: LINEITEMS, lineitem: undefined });
  });

  it('Canvas surprise 10: takes an http lineitems beside an https lineitem, and Canvas’s extra scope', () => {
    const scope = [...SCOPES, 'https://canvas.instructure.com/lti-ags/progress/scope/show'];
    const ags = parse({ [AGS]: { scope, lineitems: 'http://canvas.example/api/lti/courses/3/line_items', lineitem: 'https://canvas.example/api/lti/courses/3/line_items/1' } }).ags;
    expect(ags).to.deep.equal({ scopes: scope, lineitems: 'http://canvas.example/api/lti/courses/3/line_items', lineitem: 'https://canvas.example/api/lti/courses/3/line_items/1' });
  });

  it('leaves accept_lineitem unknown when the LMS does not send it (Moodle 4.5, Canvas), and keeps an explicit false', () => {
    const dl = (settings: Record<string, unknown>) => parse({ [`${C}message_type`]: 'LtiDeepLinkingRequest', [DL]: { deep_link_return_url: 'http://127.0.0.1:8080/mod/lti/contentitem_return.php?course=2&id=3&sesskey=x', accept_types: ['ltiResourceLink'], accept_multiple: true, ...settings } }).deepLinking!;
    expect(dl({}).acceptLineItem).to.equal(undefined);
    expect(dl({ accept_lineitem: false }).acceptLineItem).to.equal(false);
    expect(dl({ accept_lineitem: 'true' }).acceptLineItem).to.equal(true);
    expect(dl({ accept_media_types: 'application/vnd.ims.lti.v1.ltilink' }).acceptMultiple).to.equal(true);
  });
});

describe('launch claims: locale', () => {
  it('takes launch_presentation.locale first, else the id_token’s OpenID locale claim, else none', () => {
    expect(parse({ [`${C}launch_presentation`]: { locale: 'fr' }, locale: 'es' }).locale).to.equal('fr');
    expect(parse({ [`${C}launch_presentation`]: { return_url: 'http://127.0.0.1:8080/x' }, locale: 'es-ES' }).locale).to.equal('es-ES');
    expect(parse({}).locale).to.equal(undefined);
  });

  it('drops a malformed locale rather than refusing the launch', () => {
    expect(parse({ [`${C}launch_presentation`]: { locale: 42 }, locale: ['fr'] }).locale).to.equal(undefined);
  });
});
