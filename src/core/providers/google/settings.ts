/** An email address as the Google providers accept it in settings (no spaces or commas). */
export const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
