// Daily Papers: voting and commenting in place. Every form also works without this script.
(function () { "use strict"; })();
