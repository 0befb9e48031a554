export function mount(root, options) { root.textContent = "hi"; }
