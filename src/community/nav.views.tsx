/** The account corner of the site header: Submit, notifications, the user's menu and Log out; or Log in / Sign up. */
import type { VNode } from "preact";
import { ButtonForm } from "./forms.views.js";
import type { Viewer } from "./policy.js";

export function AccountNav({ user, csrf }: { user: Viewer | null; csrf: string }): VNode {
  if (!user) {
    return (
      <nav class="account-nav" aria-label="Account">
        <a href="/login">Log in</a>
        <a class="btn primary" href="/signup">Sign up</a>
      </nav>
    );
  }
  const unread = user.unreadNotifications;
  return (
    <nav class="account-nav" aria-label="Account">
      <a class="btn" href="/submit">Submit</a>
      <a href="/notifications" class="notif-link" aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}>
        <span aria-hidden="true">🔔</span>
        {unread > 0 && <span class="badge">{unread}</span>}
      </a>
      <details class="user-menu">
        <summary>{user.username}</summary>
        <ul>
          <li><a href={`/u/${user.username}`}>Profile</a></li>
          <li><a href="/for-you">For you</a></li>
          <li><a href="/collections">Collections</a></li>
          <li><a href="/settings">Settings</a></li>
          {user.role !== "reader" && <li><a href="/moderation">Moderation log</a></li>}
          <li><ButtonForm action="/logout" csrf={csrf} label="Log out" class="logout" /></li>
        </ul>
      </details>
    </nav>
  );
}
