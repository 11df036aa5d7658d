import { z } from 'zod';
import { defineJob } from '../../jobs/queue';

/** Emails are sent from jobs so a slow or failing SMTP server never fails a request, and retries are durable. */
export const sendVerificationEmail = defineJob({
  name: 'auth.send_verification_email',
  payload: z.object({ userId: z.uuid() }),
});

export const sendPasswordResetEmail = defineJob({
  name: 'auth.send_password_reset_email',
  payload: z.object({ userId: z.uuid() }),
});
