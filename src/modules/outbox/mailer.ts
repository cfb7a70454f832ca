import nodemailer from 'nodemailer';

export type Mail = { to: string; subject: string; text: string; messageId: string };
export type Mailer = { send: (mail: Mail) => Promise<string>; close: () => void };

/** A real SMTP sender (nodemailer). `SMTP_URL` is e.g. smtp://user:pass@relay.example:587. */
export function createMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    send: async (mail) => {
      const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
      return String(info.messageId ?? mail.messageId);
    },
    close: () => transport.close(),
  };
}
