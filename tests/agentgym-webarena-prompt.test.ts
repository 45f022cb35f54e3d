import { describe, expect, it } from 'vitest';
import { agentGymWebArenaPrompt, describePreviousAction, firstFencedAction } from '../src/server/agentgym-webarena-prompt.js';

const TREE = "Tab 0 (current): Customers\n\n[1] RootWebArea 'Customers' focused: True\n\t[12] textbox 'Search by keyword' required: False\n\t[15] link 'Orders'";

describe("agentenv-webarena's prompt text", () => {
  it("fills WebArena's template", () => {
    expect(agentGymWebArenaPrompt({ tree: 'T', url: 'http://x/', objective: 'O', previousAction: 'None' })).toBe('OBSERVATION:\nT\nURL: http://x/\nOBJECTIVE: O\nPREVIOUS ACTION: None');
  });

  it('takes the first fenced block of a turn as the action', () => {
    expect(firstFencedAction('think ```click [15]``` then ```stop []```')).toBe('click [15]');
    expect(firstFencedAction('no action here')).toBeUndefined();
  });

  it("describes the previous action as WebArena's history does", () => {
    expect(describePreviousAction('```click [15]```', TREE, null)).toBe("click [15] where [15] is link 'Orders'");
    expect(describePreviousAction('```type [12] [Worcester] [1]```', TREE, null)).toBe("type [12] [Worcester] where [12] is textbox 'Search by keyword' required: False");
    expect(describePreviousAction('```click [99]```', TREE, 'INVALID_ACTION: no element')).toBe('Attempt to perfom "click" on element "[99]" but no matching element found. Please check the observation more carefully.');
    expect(describePreviousAction('```scroll [down]```', TREE, null)).toBe('scroll [down]');
    expect(describePreviousAction('```fly [away]```', TREE, 'INVALID_ACTION: not an action')).toBe('fly [away] (INVALID_ACTION: not an action)');
    expect(describePreviousAction('stop now', TREE, 'INVALID_ACTION: x')).toMatch(/^The previous prediction you issued was "stop now"\. However, the format was incorrect\./);
  });
});
