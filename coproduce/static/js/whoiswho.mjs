// Who is who: a link made before the lists were paged (`/who-is-who/#person-<id>`) points at
// an entry this page no longer holds; send it on to the person's entry in their list. Without
// JavaScript the page still links every list.
const match = /^#person-([0-9a-f-]{36})$/i.exec(window.location.hash);
if (match && !document.getElementById(match[0].slice(1))) {
  window.location.replace(`people/${match[1]}/`);
}
