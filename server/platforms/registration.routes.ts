// Routes of ours under /lti: dynamic registration and the Canvas developer key JSON. The protocol
// (reading the platform's configuration, the registration request) is lti/registration.service.ts.
import { msg } from '../i18n/i18n.ts';
import { Router, type RequestHandler } from 'express';
import { AppError } from '../errors.ts';
import { createRateLimit } from '../http/rate-limit.ts';
import { setFrameAncestors } from '../http/security-headers.ts';
import { canvasDeveloperKey, readPlatformConfiguration, registerWithPlatform, registrationFrameOrigins, RegistrationQuery, type RegistrationDeps } from '../../lti/registration.service.ts';

export function registrationRouter(deps: RegistrationDeps): Router {
  const r = Router();
  // Anyone can call this URL, and each call fetches from the network and makes a key pair.
  const limit = createRateLimit({ db: deps.db, name: 'lti-register', windowMs: 3600_000, limit: 20, message: msg('limits.registration') });

  // The platform shows this page in its own dialog, before the platform is active here: the page (and
  // its errors) may be framed by the registering platform's origins, and the close message needs that.
  const framedByRegisteringPlatform: RequestHandler = (req, res, next) => {
    setFrameAncestors(res, registrationFrameOrigins(req.query.openid_configuration));
    next();
  };
  r.get('/register', framedByRegisteringPlatform, limit, async (req, res) => {
    const query = RegistrationQuery.safeParse(req.query);
    if (!query.success) {
      throw new AppError(400, 'registration-params', msg('admin.registration.notForBrowsers'));
    }
    const configuration = await readPlatformConfiguration(deps, query.data);
    setFrameAncestors(res, configuration.frameOrigins);
    const platform = await registerWithPlatform(deps, query.data, configuration);
    res.render('lti/registered', {
      title: req.i18n!.t('lti.registered.title'),
      platform: { name: platform.name, pending: platform.status !== 'active', moodle: platform.product === 'moodle', canvas: platform.product === 'canvas' },
    });
  });

  r.get('/canvas.json', (_req, res) => {
    res.json(canvasDeveloperKey(deps.config));
  });

  return r;
}
