// Debounce and throttle helpers for browser event handlers.

/**
 * Returns a function that calls `fn` only after `wait` milliseconds have
 * passed without another call. Useful for search boxes: the request is sent
 * when the user stops typing.
 */
export function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

/**
 * Returns a function that calls `fn` at most once every `interval`
 * milliseconds. The last call in a burst is not lost: it runs when the
 * interval ends.
 */
export function throttle(fn, interval) {
  let last = 0;
  let pending = null;
  return function (...args) {
    const now = Date.now();
    const remaining = interval - (now - last);
    if (remaining <= 0) {
      last = now;
      fn.apply(this, args);
    } else {
      clearTimeout(pending);
      pending = setTimeout(() => {
        last = Date.now();
        fn.apply(this, args);
      }, remaining);
    }
  };
}

const input = document.querySelector("#search");
input.addEventListener(
  "input",
  debounce((event) => fetch(`/search?q=${encodeURIComponent(event.target.value)}`), 300),
);
window.addEventListener("scroll", throttle(() => console.log(window.scrollY), 200));
