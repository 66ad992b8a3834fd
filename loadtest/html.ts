// HTML text escaping for the self-contained reports (report.ts, lanes.ts).

/** Text made safe inside HTML elements and attribute values. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c]!));
