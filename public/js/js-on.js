// Runs before the page is drawn: with scripts on, the phone navigation starts collapsed behind its
// toggle (Bootstrap's collapse); without them it stays open (app.css), so every link is reachable.
document.documentElement.classList.add('js');
