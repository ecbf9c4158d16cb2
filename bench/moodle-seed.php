<?php
// For bench/moodle.bench.ts, on a real Moodle (../shared/REAL-MOODLE.md): a course with a forum,
// students student1…student50 (password Bench-pass-1!) and one discussion of 50 posts, the opening
// post and 49 replies, as the bench thread of Circlework has. Moodle's own data generator makes them
// (admin/tool/generator uses it the same way). Prints the discussion's id.
//   sudo -u www-data php bench/moodle-seed.php /var/www/moodle
define('CLI_SCRIPT', true);
$root = $argv[1] ?? '/var/www/moodle';
require($root . '/config.php');
require_once($CFG->dirroot . '/lib/phpunit/classes/util.php');
$gen = phpunit_util::get_data_generator();
$course = $gen->create_course(['shortname' => 'bench' . time(), 'fullname' => 'Bench course']);
$forum = $gen->create_module('forum', ['course' => $course->id, 'name' => 'Bench forum']);
$forums = $gen->get_plugin_generator('mod_forum');
$users = [];
for ($i = 1; $i <= 50; $i++) {
    $u = $DB->get_record('user', ['username' => "student$i"])
        ?: $gen->create_user(['username' => "student$i", 'password' => 'Bench-pass-1!', 'firstname' => 'Learner', 'lastname' => "$i"]);
    $gen->enrol_user($u->id, $course->id, 'student');
    $users[] = $u;
}
$discussion = $forums->create_discussion(['course' => $course->id, 'forum' => $forum->id, 'userid' => $users[0]->id,
    'name' => 'What helped this week', 'message' => '<p>Opening post of the bench thread.</p>', 'messageformat' => FORMAT_HTML]);
$t = time();
for ($j = 1; $j <= 49; $j++) {
    $forums->create_post(['discussion' => $discussion->id, 'userid' => $users[$j % 10]->id, 'parent' => $discussion->firstpost,
        'subject' => 'Re: What helped this week', 'created' => $t + $j, 'modified' => $t + $j,
        'message' => "<p>Reply $j. What worked for me this week: a <strong>short note</strong>.</p>", 'messageformat' => FORMAT_HTML]);
}
echo $discussion->id, "\n";
