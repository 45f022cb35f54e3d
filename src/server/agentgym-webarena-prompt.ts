/**
 * The text agentenv-webarena answers as a step's observation: WebArena's chain-of-thought
 * prompt template (`p_cot_id_actree_2s`) filled with the page, its URL, the objective and a
 * description of the previous action, as WebArena's own agent history describes it.
 */
export const agentGymWebArenaPrompt = (parts: { tree: string; url: string; objective: string; previousAction: string }): string =>
  `OBSERVATION:\n${parts.tree}\nURL: ${parts.url}\nOBJECTIVE: ${parts.objective}\nPREVIOUS ACTION: ${parts.previousAction}`;

/** The first ```-fenced block of a model turn, as agentenv-webarena extracts the action; undefined without one. */
export const firstFencedAction = (response: string): string | undefined => {
  const match = /```((?:.|\n)*?)```/.exec(response);
  return match?.[1]?.trim();
};

/** The `[id] role 'name' …` line of an element in a tree text, without its `[id]` (WebArena's node text). */
const elementText = (tree: string, id: string): string | undefined => {
  const prefix = `[${id}] `;
  const line = tree.split('\n').map((l) => l.replace(/^\t+/, '')).find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length);
};

/**
 * The previous action as WebArena's history shows it: `click [12] where [12] is link 'Orders'`
 * for element actions, the action itself otherwise, and WebArena's hints when the turn had no
 * fenced action or named no element of the page.
 */
export const describePreviousAction = (response: string, previousTree: string, error: string | null): string => {
  const action = firstFencedAction(response);
  if (action === undefined) {
    return `The previous prediction you issued was "${response}". However, the format was incorrect. Ensure that the action is wrapped inside a pair of \`\`\` and enclose arguments within [] as follows: \`\`\`action [arg] ...\`\`\`.`;
  }
  const element = /^(click|hover|type) ?\[([^\]]+)\]/i.exec(action);
  if (element?.[1] && element[2]) {
    const name = element[1].toLowerCase();
    const node = elementText(previousTree, element[2]);
    if (node === undefined) return `Attempt to perfom "${name}" on element "[${element[2]}]" but no matching element found. Please check the observation more carefully.`;
    const typed = name === 'type' ? /^type ?\[[^\]]+\] ?\[([\s\S]*?)\](?: ?\[[01]\])?\s*$/i.exec(action)?.[1] : undefined;
    return `${name} [${element[2]}]${typed === undefined ? '' : ` [${typed.replace(/\n/g, ' ')}]`} where [${element[2]}] is ${node}`;
  }
  return error === null ? action : `${action} (${error})`;
};
