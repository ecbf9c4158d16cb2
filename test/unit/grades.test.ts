// The pure rules of grade sync: what each link scores, and which LMS failures are worth retrying.
import { expect } from 'chai';
import { scoreFor } from '../../server/grades/grades.service.ts';
import { classifyFailure, scoresUrl } from '../../lti/ags.ts';

describe('grade rules', () => {
  it('scores the hub with the rounded share of the nine modules, Completed only at nine', () => {
    expect(scoreFor(null, new Set([1]))).to.deep.equal({ scoreGiven: 11, activityProgress: 'InProgress' });
    expect(scoreFor(null, new Set([1, 2, 3, 4, 5]))).to.deep.equal({ scoreGiven: 56, activityProgress: 'InProgress' });
    expect(scoreFor(null, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]))).to.deep.equal({ scoreGiven: 100, activityProgress: 'Completed' });
  });

  it('scores a module link 100 once its module is completed, and not at all before', () => {
    expect(scoreFor(4, new Set([1, 4]))).to.deep.equal({ scoreGiven: 100, activityProgress: 'Completed' });
    expect(scoreFor(5, new Set([1, 4]))).to.equal(undefined);
  });

  it('retries 5xx, 408, 429 and Canvas’s throttling 403, and nothing else', () => {
    for (const [status, body] of [[500, ''], [503, 'down'], [408, ''], [429, 'Too Many Requests'], [403, '403 Forbidden (Rate Limit Exceeded)']] as const) {
      expect(classifyFailure(status, body, 'the score').retryable, `${status} ${body}`).to.equal(true);
    }
    for (const [status, body] of [[400, '{"error":"bad"}'], [401, ''], [403, '{"errors":[{"message":"user not authorized"}]}'], [404, 'Not Found'], [409, ''], [422, '']] as const) {
      expect(classifyFailure(status, body, 'the score').retryable, `${status} ${body}`).to.equal(false);
    }
  });

  it('tells the facilitator what the LMS said, briefly and as plain text', () => {
    expect(classifyFailure(403, '{"errors":[{"message":"user not authorized"}]}', 'the score').reason).to.equal('The LMS refused the score (403: user not authorized).');
    expect(classifyFailure(400, '<html><body><h1>Bad</h1> request</body></html>', 'the score').reason).to.equal('The LMS refused the score (400: Bad request).');
    expect(classifyFailure(400, 'x'.repeat(500), 'the score').reason.length).to.be.lessThan(260);
  });

  it('reads why from Moodle’s status line (its error body is []) and from Canvas’s {errors: {type, message}}', () => {
    expect(classifyFailure(400, '[]', 'the score', 'Incorrect score received{"userId":"3"}').reason).to.equal('The LMS refused the score (400: Incorrect score received{"userId":"3"}).');
    expect(classifyFailure(400, '[]', 'the score', 'Bad Request').reason).to.equal('The LMS refused the score (400).');
    const canvas = '{"errors":{"type":"unprocessable_entity","message":"User not found in course or is not a student"}}';
    expect(classifyFailure(422, canvas, 'the score').reason).to.equal('The LMS refused the score (422: User not found in course or is not a student).');
  });

  it('recognises a score the LMS already holds (Moodle’s 409, Canvas’s “before last updated timestamp” 400), and nothing else', () => {
    expect(classifyFailure(409, '[]', 'the score', 'Refusing score with an earlier timestamp for item 8 and user 4').supersededScore).to.equal(true);
    expect(classifyFailure(400, '{"errors":{"type":"bad_request","message":"Provided timestamp of 2017-04-16T18:54:36.736+00:00 before last updated timestamp of 2017-04-16T18:55:00.000Z"}}', 'the score').supersededScore).to.equal(true);
    expect(classifyFailure(400, '{"errors":{"type":"bad_request","message":"Provided timestamp of notadate not a valid timestamp"}}', 'the score').supersededScore).to.equal(false);
    expect(classifyFailure(400, '[]', 'the score', 'Incorrect score received{}').supersededScore).to.equal(false);
  });

  it('puts /scores after the line item path, before its query string', () => {
    expect(scoresUrl('https://lms.example/ags/c1/lineitems/7/lineitem')).to.equal('https://lms.example/ags/c1/lineitems/7/lineitem/scores');
    expect(scoresUrl('https://lms.example/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3')).to.equal('https://lms.example/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=3');
  });
});
