// The demo page while the demo cohort is being made: look again every second and a half.
if (document.querySelector('[data-demo-refresh]')) setTimeout(() => location.reload(), 1500);
