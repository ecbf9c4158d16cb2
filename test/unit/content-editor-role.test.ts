// Who edits a tenant's workshop editions by their LMS roles: the course's Content Developer, or an Administrator
// of any scope, checked on the roles Moodle and Canvas were recorded sending.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isContentEditorRole } from '../../lti/roles.ts';

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

describe('isContentEditorRole', () => {
  it('makes an editor of Canvas’s designer (the course’s Content Developer, as recorded) and of Moodle’s site administrator', () => {
    const designer = (JSON.parse(readFileSync(new URL('../fixtures/lms-recordings/canvas/id-token-resource-link-teacher.json', import.meta.url), 'utf8')) as { variant_designer_roles: string[] }).variant_designer_roles;
    expect(isContentEditorRole(designer)).to.equal(true);
    expect(isContentEditorRole(recorded('moodle-4.5.6/id-token-resource-link-admin.json'))).to.equal(true);
  });

  it('makes no editor of a teacher, a teaching assistant or a student', () => {
    expect(isContentEditorRole(recorded('canvas/id-token-resource-link-teacher.json'))).to.equal(false);
    expect(isContentEditorRole(recorded('canvas/id-token-resource-link-student.json'))).to.equal(false);
    expect(isContentEditorRole(recorded('moodle-4.5.6/id-token-resource-link-teacher.json'))).to.equal(false);
    expect(isContentEditorRole([`${LIS}membership/Instructor#TeachingAssistant`, `${LIS}institution/person#Instructor`])).to.equal(false);
  });

  it('takes a Content Developer of the course only, an Administrator of any scope', () => {
    expect(isContentEditorRole([`${LIS}membership#ContentDeveloper`])).to.equal(true);
    expect(isContentEditorRole(['ContentDeveloper'])).to.equal(true);
    expect(isContentEditorRole([`${LIS}institution/person#ContentDeveloper`])).to.equal(false);
    expect(isContentEditorRole([`${LIS}membership#Administrator`])).to.equal(true);
    expect(isContentEditorRole([`${LIS}system/person#Administrator`])).to.equal(true);
    expect(isContentEditorRole(['', 'junk', `${LIS}system/person#SysAdmin`])).to.equal(false);
  });
});
