import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isProgrammeLeadRole } from '../../lti/roles.ts';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const ROLES = 'https://purl.imsglobal.org/spec/lti/claim/roles';
const recorded = (file: string): string[] => {
  const json = JSON.parse(readFileSync(new URL(`../fixtures/lms-recordings/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  const find = (o: unknown): string[] | undefined => {
    if (!o || typeof o !== 'object') return undefined;
    const rec = o as Record<string, unknown>;
    if (Array.isArray(rec[ROLES])) return rec[ROLES] as string[];
    for (const v of Object.values(rec)) {
      const r = find(v);
      if (r) return r;
    }
    return undefined;
  };
  return find(json) ?? [];
};

describe('isProgrammeLeadRole', () => {
  it('makes a lead of Moodle’s site administrator (institution and system Administrator, as recorded)', () => {
    expect(isProgrammeLeadRole(recorded('moodle-4.5.6/id-token-resource-link-admin.json'))).to.equal(true);
  });

  it('makes no lead of a Canvas teacher (institution Instructor) or a Canvas student', () => {
    expect(isProgrammeLeadRole(recorded('canvas/id-token-resource-link-teacher.json'))).to.equal(false);
    expect(isProgrammeLeadRole(recorded('canvas/id-token-resource-link-student.json'))).to.equal(false);
  });

  it('takes the institution or the system Administrator alone, not a course Administrator', () => {
    expect(isProgrammeLeadRole([`${LIS}institution/person#Administrator`])).to.equal(true);
    expect(isProgrammeLeadRole([`${LIS}system/person#Administrator`])).to.equal(true);
    expect(isProgrammeLeadRole([`${LIS}membership#Administrator`, 'Administrator'])).to.equal(false);
    expect(isProgrammeLeadRole([`${LIS}system/person#SysAdmin`, `${LIS}institution/person#Instructor`, '', 'junk'])).to.equal(false);
  });
});
