import { Anchor, Typography } from '@mantine/core';
import Markdown, { type Components } from 'react-markdown';

interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}

/**
 * Raw HTML inside markdown becomes plain text: `<script>` is shown, never parsed. (react-markdown already refuses raw
 * HTML without rehype-raw; this keeps what the author typed visible instead of silently dropping it.)
 */
function remarkHtmlAsText() {
  const walk = (node: MdNode) => {
    if (node.type === 'html') node.type = 'text';
    node.children?.forEach(walk);
  };
  return (tree: MdNode) => walk(tree);
}

const components: Components = {
  // Unsafe protocols (javascript:, data:) arrive with an empty href: show the text without a link.
  a: ({ href, children }) =>
    !href ? (
      <span>{children}</span>
    ) : (
      <Anchor href={href} target="_blank" rel="noopener noreferrer nofollow" style={{ wordBreak: 'break-all' }}>
        {children}
      </Anchor>
    ),
  // Remote images could track who reads the note; show them as links instead.
  img: ({ src, alt }) =>
    typeof src === 'string' && src ? (
      <Anchor href={src} target="_blank" rel="noopener noreferrer nofollow">
        {alt || 'Image'}
      </Anchor>
    ) : (
      <span>{alt}</span>
    ),
};

/** Markdown without raw HTML; unsafe link protocols are removed by react-markdown's default URL transform. */
export function SafeMarkdown({ children }: { children: string }) {
  return (
    <Typography fz="sm" style={{ wordBreak: 'break-word' }}>
      <Markdown remarkPlugins={[remarkHtmlAsText]} components={components}>
        {children}
      </Markdown>
    </Typography>
  );
}
