// ClientFlow's own script. The content security policy allows scripts from files on this site only: no inline
// scripts or event handlers, so behaviour is attached here by data attributes.

// A button with data-confirm asks before it submits its form.
document.addEventListener('click', event => {
    const button = event.target.closest('[data-confirm]');
    if (button && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
    }
});
