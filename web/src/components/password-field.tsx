import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * The visibility toggle is renamed so that "Password" labels stay unique for assistive tech and browser tests
 * (Mantine's default toggle label also contains the word "password").
 */
export function PasswordField(props: PasswordInputProps) {
  return <PasswordInput visibilityToggleButtonProps={{ 'aria-label': 'Show or hide characters' }} {...props} />;
}
