export function mount(root) { root.textContent = "hi"; }
