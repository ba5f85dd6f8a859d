// The workflow editor's "add a step" form shows only the fields of the chosen kind of step; without JavaScript every
// field stays visible.
(function () {
    const kind = document.querySelector('#add-step select[name="Step.Kind"]');
    if (!kind) return;
    const sync = () => {
        document.querySelectorAll('#add-step fieldset[data-for]').forEach(set => {
            set.hidden = !set.dataset.for.split(' ').includes(kind.value);
        });
    };
    kind.addEventListener('change', sync);
    sync();
})();
