import type { Config } from '../../app/config';
import type { JobQueue } from '../../jobs/queue';
import type { Mailer } from '../../lib/mailer';
import { sendPasswordResetEmail, sendVerificationEmail } from './auth.jobs';
import type { AuthRepository } from './auth.repository';
import type { AuthService } from './auth.service';

/** Runs the auth emails: tokens are made here, at send time, so no secret ever sits in the job queue. */
export function registerAuthEmailJobs(
  queue: JobQueue,
  deps: { auth: AuthService; repo: AuthRepository; mailer: Mailer; config: Config },
): void {
  queue.handle(sendVerificationEmail, async ({ userId }) => {
    const user = await deps.repo.findUserById(userId);
    if (!user || user.emailVerifiedAt) return;
    const link = `${deps.config.publicUrl}/verify-email?token=${encodeURIComponent(deps.auth.verificationToken(user))}`;
    await deps.mailer.send({
      to: user.email,
      subject: 'Confirm your email for LeadsBoost',
      text: `Hi ${user.name},\n\nConfirm your email address by opening this link (valid for 3 days):\n\n${link}\n\nIf you did not sign up for LeadsBoost, ignore this message.\n`,
      html: emailHtml(
        `Hi ${escapeHtml(user.name)},`,
        'Confirm your email address (the link is valid for 3 days).',
        link,
        'Confirm email',
      ),
    });
  });

  queue.handle(sendPasswordResetEmail, async ({ userId }) => {
    const user = await deps.repo.findUserById(userId);
    if (!user) return;
    const token = await deps.auth.issueResetToken(user.id);
    const link = `${deps.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await deps.mailer.send({
      to: user.email,
      subject: 'Reset your LeadsBoost password',
      text: `Hi ${user.name},\n\nSomeone asked to reset the password of your LeadsBoost account. Open this link within an hour to choose a new one:\n\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
      html: emailHtml(
        `Hi ${escapeHtml(user.name)},`,
        'Someone asked to reset your password. The link works once, within an hour. If it was not you, ignore this message.',
        link,
        'Choose a new password',
      ),
    });
  });
}

export function emailHtml(greeting: string, body: string, link: string, action: string): string {
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1a1b1e">
<p>${greeting}</p><p>${body}</p>
<p><a href="${escapeHtml(link)}" style="background:#4c6ef5;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${action}</a></p>
<p style="color:#868e96;font-size:12px">Or paste this address into your browser: ${escapeHtml(link)}</p>
</body></html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
