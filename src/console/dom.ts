/** Looks up an element the page's HTML is known to contain, with its type checked at run time. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`console page: #${id} is missing or not a ${type.name}`);
  return found;
}

interface ElementProps {
  className?: string;
  text?: string;
  attributes?: Record<string, string>;
}

/** Creates an element; text goes in as text, never as HTML, since messages carry whatever publishers sent. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (props.className) created.className = props.className;
  if (props.text !== undefined) created.textContent = props.text;
  for (const [name, value] of Object.entries(props.attributes ?? {})) created.setAttribute(name, value);
  created.append(...children);
  return created;
}

/** Keeps at most `max` children, dropping the oldest (the last ones: lists show the newest first). */
export function trimChildren(parent: Element, max: number): void {
  while (parent.childElementCount > max) parent.lastElementChild?.remove();
}
