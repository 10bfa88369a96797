"""Templates and name pools for the demo press, written for this project (fictional events).

Every template is a ``str.format`` string; the same slot names exist in the three languages
so that one event renders with the same names, places and numbers in French, Arabic and
English. Each kind has, per language: 3 titles, 2 leads and 3 body paragraphs; GENERIC holds
8 paragraphs any kind may end with. Officials, coaches and residents are male so that Arabic
verb agreement in the templates stays right.
"""

from __future__ import annotations

# (fr, ar, en) triples. Regions first: cities point at them by index.
REGIONS = (
    ("Tanger-Tétouan-Al Hoceïma", "جهة طنجة تطوان الحسيمة", "Tangier-Tetouan-Al Hoceima"),
    ("Oriental", "جهة الشرق", "Oriental"),
    ("Fès-Meknès", "جهة فاس مكناس", "Fez-Meknes"),
    ("Rabat-Salé-Kénitra", "جهة الرباط سلا القنيطرة", "Rabat-Sale-Kenitra"),
    ("Béni Mellal-Khénifra", "جهة بني ملال خنيفرة", "Beni Mellal-Khenifra"),
    ("Casablanca-Settat", "جهة الدار البيضاء سطات", "Casablanca-Settat"),
    ("Marrakech-Safi", "جهة مراكش آسفي", "Marrakesh-Safi"),
    ("Drâa-Tafilalet", "جهة درعة تافيلالت", "Draa-Tafilalet"),
    ("Souss-Massa", "جهة سوس ماسة", "Souss-Massa"),
    ("Guelmim-Oued Noun", "جهة كلميم واد نون", "Guelmim-Oued Noun"),
    ("Laâyoune-Sakia El Hamra", "جهة العيون الساقية الحمراء", "Laayoune-Sakia El Hamra"),
    ("Dakhla-Oued Eddahab", "جهة الداخلة وادي الذهب", "Dakhla-Oued Eddahab"),
)

# (fr, ar, en, region index, has a sea port)
CITIES = (
    ("Tanger", "طنجة", "Tangier", 0, True),
    ("Tétouan", "تطوان", "Tetouan", 0, False),
    ("Al Hoceïma", "الحسيمة", "Al Hoceima", 0, True),
    ("Oujda", "وجدة", "Oujda", 1, False),
    ("Nador", "الناظور", "Nador", 1, True),
    ("Fès", "فاس", "Fez", 2, False),
    ("Meknès", "مكناس", "Meknes", 2, False),
    ("Rabat", "الرباط", "Rabat", 3, False),
    ("Kénitra", "القنيطرة", "Kenitra", 3, True),
    ("Béni Mellal", "بني ملال", "Beni Mellal", 4, False),
    ("Khouribga", "خريبكة", "Khouribga", 4, False),
    ("Casablanca", "الدار البيضاء", "Casablanca", 5, True),
    ("El Jadida", "الجديدة", "El Jadida", 5, True),
    ("Settat", "سطات", "Settat", 5, False),
    ("Marrakech", "مراكش", "Marrakesh", 6, False),
    ("Safi", "آسفي", "Safi", 6, True),
    ("Essaouira", "الصويرة", "Essaouira", 6, True),
    ("Ouarzazate", "ورزازات", "Ouarzazate", 7, False),
    ("Errachidia", "الرشيدية", "Errachidia", 7, False),
    ("Agadir", "أكادير", "Agadir", 8, True),
    ("Taroudant", "تارودانت", "Taroudant", 8, False),
    ("Guelmim", "كلميم", "Guelmim", 9, False),
    ("Laâyoune", "العيون", "Laayoune", 10, True),
    ("Dakhla", "الداخلة", "Dakhla", 11, True),
)

# (latin spelling, Arabic spelling)
OFFICIALS = (
    ("Karim Benslimane", "كريم بنسليمان"),
    ("Rachid Bennouna", "رشيد بنونة"),
    ("Mehdi Lazrak", "مهدي الأزرق"),
    ("Omar Sbai", "عمر السباعي"),
    ("Adil Mernissi", "عادل المرنيسي"),
    ("Tarik Ouahbi", "طارق الوهبي"),
    ("Hassan Filali", "حسن الفيلالي"),
    ("Jamal Eddine Kabbaj", "جمال الدين القباج"),
)
RESIDENTS = (
    ("Ahmed Ait Lhaj", "أحمد آيت الحاج"),
    ("Brahim Lamrini", "إبراهيم المريني"),
    ("Said Bouhlal", "سعيد بوهلال"),
    ("Mustapha Zerouali", "مصطفى الزروالي"),
    ("Abdellah Naji", "عبد الله الناجي"),
    ("Yahya Bensaid", "يحيى بنسعيد"),
)
COACHES = (
    ("Noureddine Halim", "نور الدين حليم"),
    ("Fouad Sekkat", "فؤاد السقاط"),
    ("Aziz Berrada", "عزيز برادة"),
    ("Khalid Jebli", "خالد الجبلي"),
)
PLAYERS = (
    ("Ilyas Mokhtari", "إلياس المختاري"),
    ("Hamza Belkadi", "حمزة بلقاضي"),
    ("Soufiane Naciri", "سفيان الناصري"),
    ("Yassine Erraji", "ياسين الراجي"),
    ("Ayoub Chafai", "أيوب الشافعي"),
    ("Reda Tounsi", "رضا التونسي"),
)
# (fr, ar, en, home city index)
TEAMS = (
    ("Ittihad Bouregreg", "اتحاد أبي رقراق", "Ittihad Bouregreg", 7),
    ("Nahdat Souss", "نهضة سوس", "Nahdat Souss", 19),
    ("Olympique Tensift", "أولمبيك تانسيفت", "Olympique Tensift", 14),
    ("Chabab Saïss", "شباب سايس", "Chabab Saiss", 5),
    ("Kawkab Draâ", "كوكب درعة", "Kawkab Draa", 17),
    ("Amal Tadla", "أمل تادلة", "Amal Tadla", 9),
    ("Hilal Nador", "هلال الناظور", "Hilal Nador", 4),
    ("Widad Loukkos", "وداد اللوكوس", "Widad Loukkos", 1),
)
DAMS = (
    ("Tizi n'Ouzal", "تيزي نوزال", "Tizi n'Ouzal"),
    ("Aït Bouzid", "آيت بوزيد", "Ait Bouzid"),
    ("Oued Zerrad", "واد زراد", "Oued Zerrad"),
    ("Ighil Amellal", "إغيل أملال", "Ighil Amellal"),
    ("Sidi Boukhari", "سيدي البخاري", "Sidi Boukhari"),
    ("Tamzirt", "تامزيرت", "Tamzirt"),
    ("Imi n'Tafraout", "إيمي نتفراوت", "Imi n'Tafraout"),
    ("Oued Tamda", "واد تامدة", "Oued Tamda"),
)
FESTIVALS = (
    ("Festival des Arts de l'Atlas", "مهرجان فنون الأطلس", "Atlas Arts Festival"),
    ("Festival du Film de la Côte", "مهرجان فيلم الساحل", "Coastal Film Festival"),
    ("Festival des Musiques du Sud", "مهرجان موسيقى الجنوب", "Southern Music Festival"),
    ("Festival des Oasis", "مهرجان الواحات", "Oases Festival"),
    ("Festival du Conte et de la Poésie", "مهرجان الحكاية والشعر", "Storytelling and Poetry Festival"),
    ("Festival des Arts de la Rue", "مهرجان فنون الشارع", "Street Arts Festival"),
)
CHAMBERS = (
    ("Chambre des représentants", "مجلس النواب", "House of Representatives"),
    ("Chambre des conseillers", "مجلس المستشارين", "House of Councillors"),
)
BILLS = (
    ("projet de loi de finances {year}", "مشروع قانون المالية لسنة {year}", "{year} finance bill"),
    ("projet de loi de finances rectificative {year}", "مشروع قانون المالية المعدل لسنة {year}",
     "{year} amending finance bill"),
)
ALERT_LEVELS = (("orange", "برتقالي", "orange"), ("rouge", "أحمر", "red"))

ROLES = {
    "water": ("ministre de l'Équipement et de l'Eau", "وزير التجهيز والماء",
              "Minister of Equipment and Water"),
    "weather": ("porte-parole de la Direction de la météorologie nationale",
                "الناطق باسم المديرية العامة للأرصاد الجوية",
                "spokesman for the national weather service"),
    "finance": ("ministre de l'Économie et des Finances", "وزير الاقتصاد والمالية",
                "Minister of Economy and Finance"),
    "transport": ("ministre du Transport et de la Logistique", "وزير النقل واللوجستيك",
                  "Minister of Transport and Logistics"),
    "festival": ("directeur artistique du festival", "المدير الفني للمهرجان",
                 "the festival's artistic director"),
    "coach": ("entraîneur", "المدرب", "coach"),
}

# kind -> (section category, role key)
KIND_META = {
    "dam": ("economy", "water"),
    "football": ("sport", "coach"),
    "rain": ("society", "weather"),
    "vote": ("politics", "finance"),
    "port": ("economy", "transport"),
    "festival": ("culture", "festival"),
    "heatwave": ("society", "weather"),
    "train": ("economy", "transport"),
}
KINDS = tuple(KIND_META)

# kind -> lang -> {"titles": (...), "leads": (...), "body": (...)}
TEMPLATES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "dam": {
        "fr": {
            "titles": (
                "Inauguration du barrage {dam} près de {city}",
                "{city} : le barrage {dam} entre en service avec {capacity} millions de m3",
                "Le barrage {dam}, un chantier de {cost} MDH, est opérationnel",
            ),
            "leads": (
                "Le barrage {dam}, situé à proximité de {city} dans la région {region}, a été officiellement inauguré en présence de {official}, {role}. L'ouvrage, d'une capacité de retenue de {capacity} millions de mètres cubes, a nécessité un investissement de {cost} millions de dirhams.",
                "Après quatre années de travaux, la région {region} dispose d'un nouveau réservoir : le barrage {dam}, près de {city}, peut stocker {capacity} millions de mètres cubes d'eau. {official}, {role}, a présidé la cérémonie de mise en service devant les élus de la province.",
            ),
            "body": (
                "Haut de {height} mètres, l'ouvrage doit permettre d'irriguer près de {hectares} hectares de terres agricoles et de sécuriser l'approvisionnement en eau potable des communes voisines. Les ingénieurs du chantier rappellent que la retenue a été conçue pour résister aux crues exceptionnelles qui frappent régulièrement le bassin.",
                "Le coût total du projet, estimé à {cost} millions de dirhams, a été financé par le budget de l'État et par un prêt concessionnel. Selon les services du ministère, plus de {jobs} emplois directs ont été créés pendant la phase de construction, dont une majorité de jeunes de la province.",
                "Les agriculteurs de la plaine attendaient ce barrage depuis longtemps. Après plusieurs saisons de sécheresse, les nappes phréatiques ont fortement baissé et de nombreux puits se sont taris. Le nouveau réservoir devrait aussi limiter les dégâts causés par les inondations en aval de {city}.",
            ),
        },
        "ar": {
            "titles": (
                "تدشين سد {dam} قرب {city}",
                "{city}: دخول سد {dam} حيز الخدمة بسعة {capacity} مليون متر مكعب",
                "سد {dam} بكلفة {cost} مليون درهم يدخل مرحلة الاستغلال",
            ),
            "leads": (
                "دشن {official}، {role}، سد {dam} الواقع بالقرب من مدينة {city} في {region}، وتبلغ سعته التخزينية {capacity} مليون متر مكعب، فيما بلغت كلفة إنجازه {cost} مليون درهم.",
                "بعد أربع سنوات من الأشغال، أصبحت {region} تتوفر على منشأة مائية جديدة، إذ دخل سد {dam} قرب {city} حيز الخدمة بطاقة استيعابية تصل إلى {capacity} مليون متر مكعب، وذلك خلال حفل ترأسه {official}، {role}، بحضور منتخبي الإقليم.",
            ),
            "body": (
                "ويبلغ علو السد {height} مترا، ومن المنتظر أن يساهم في سقي حوالي {hectares} هكتار من الأراضي الفلاحية، وتأمين تزويد الجماعات المجاورة بالماء الصالح للشرب. ويؤكد المهندسون المشرفون على الورش أن المنشأة صممت لمواجهة الفيضانات الاستثنائية التي يعرفها الحوض.",
                "وقد بلغت الكلفة الإجمالية للمشروع {cost} مليون درهم، جرى تمويلها من الميزانية العامة للدولة وبواسطة قرض ميسر. وحسب مصالح الوزارة، وفر الورش أزيد من {jobs} منصب شغل مباشر خلال مرحلة البناء، استفاد منها بالخصوص شباب الإقليم.",
                "وكان فلاحو المنطقة ينتظرون هذا السد منذ سنوات، بعدما أدت مواسم الجفاف المتتالية إلى تراجع كبير في منسوب الفرشة المائية وجفاف عدد من الآبار. كما يرتقب أن يحد الحوض الجديد من الأضرار التي تخلفها الفيضانات في المناطق الواقعة أسفل {city}.",
            ),
        },
        "en": {
            "titles": (
                "{dam} dam inaugurated near {city}",
                "New {capacity} million cubic metre dam opens in {region}",
                "{city} gets its reservoir as {dam} dam comes online",
            ),
            "leads": (
                "The {dam} dam near {city}, in the {region} region, was officially inaugurated by {official}, {role}. The reservoir can hold {capacity} million cubic metres of water and cost {cost} million dirhams to build.",
                "After four years of construction, the {region} region has a new reservoir: the {dam} dam outside {city}, with a storage capacity of {capacity} million cubic metres, was put into service at a ceremony led by {official}, {role}.",
            ),
            "body": (
                "Standing {height} metres high, the dam is expected to irrigate about {hectares} hectares of farmland and secure drinking water for nearby municipalities. Engineers on the project said the structure was designed to withstand the exceptional floods that periodically hit the basin.",
                "The project's total cost of {cost} million dirhams was covered by the state budget and a concessional loan. According to the ministry, more than {jobs} direct jobs were created during construction, most of them filled by young people from the province.",
                "Farmers in the plain had been waiting for the dam for years. Successive dry seasons have pushed groundwater levels down sharply and left many wells empty. The new reservoir should also reduce flood damage downstream of {city}.",
            ),
        },
    },
    "football": {
        "fr": {
            "titles": (
                "{winner} s'impose {ws}-{ls} face à {loser}",
                "Football : {winner} domine {loser} à {city}",
                "{scorer} offre la victoire à {winner} contre {loser}",
            ),
            "leads": (
                "{winner} a battu {loser} sur le score de {ws} buts à {ls}, au stade municipal de {city}, pour le compte de la {round}e journée du championnat national. Devant {attendance} spectateurs, {scorer} a été l'homme du match.",
                "Soirée faste pour {winner}, vainqueur de {loser} ({ws}-{ls}) à {city}, lors de la {round}e journée du championnat. Le but décisif est signé {scorer} à la {minute}e minute, au terme d'une rencontre longtemps indécise.",
            ),
            "body": (
                "La première période a été équilibrée, les deux équipes se neutralisant au milieu de terrain. C'est après la pause que {winner} a accéléré, profitant des espaces laissés par une défense de {loser} fatiguée. {scorer} a trouvé le chemin des filets à la {minute}e minute d'une frappe croisée.",
                "Avec ce succès, {winner} gagne trois places au classement et se rapproche du podium. L'entraîneur {coach} s'est félicité de l'état d'esprit de son groupe : « Nous avons été patients et solidaires. Les joueurs ont respecté le plan de jeu jusqu'au bout », a-t-il déclaré en conférence de presse.",
                "Du côté de {loser}, la défaite est difficile à digérer. Le club reste sur une série de résultats décevants et les supporters, venus nombreux à {city}, ont exprimé leur mécontentement au coup de sifflet final. Le prochain match, à domicile, prend déjà des allures de rendez-vous décisif.",
            ),
        },
        "ar": {
            "titles": (
                "{winner} يتغلب على {loser} بحصة {ws}-{ls}",
                "كرة القدم: {winner} يفرض سيطرته على {loser} في {city}",
                "{scorer} يقود {winner} للفوز على {loser}",
            ),
            "leads": (
                "تغلب فريق {winner} على {loser} بحصة {ws} مقابل {ls}، في المباراة التي احتضنها الملعب البلدي بمدينة {city}، برسم الجولة {round} من البطولة الوطنية، أمام حوالي {attendance} متفرج، وتألق فيها اللاعب {scorer}.",
                "حقق فريق {winner} فوزا ثمينا على {loser} بنتيجة {ws} مقابل {ls} بمدينة {city}، ضمن منافسات الجولة {round} من البطولة، وسجل هدف الحسم اللاعب {scorer} في الدقيقة {minute} من مباراة ظلت مفتوحة على كل الاحتمالات.",
            ),
            "body": (
                "وعرفت الجولة الأولى تكافؤا واضحا بين الفريقين، حيث انحصر اللعب في وسط الميدان. وبعد الاستراحة، رفع {winner} من إيقاع اللعب مستغلا المساحات التي تركها دفاع {loser}، لينجح {scorer} في هز الشباك في الدقيقة {minute} بتسديدة قوية.",
                "وبهذا الفوز، يتقدم {winner} ثلاث مراتب في سلم الترتيب ويقترب من مراكز الصدارة. وعبر المدرب {coach} عن ارتياحه لروح المجموعة، وقال في الندوة الصحفية: «كنا صبورين ومتضامنين، واحترم اللاعبون الخطة إلى آخر دقيقة».",
                "في المقابل، تلقى {loser} هزيمة مؤلمة تضاف إلى سلسلة من النتائج المخيبة، وعبر أنصاره الذين حضروا بكثافة إلى {city} عن استيائهم مع صافرة النهاية. وتبدو المباراة المقبلة للفريق أمام جمهوره حاسمة بكل المقاييس.",
            ),
        },
        "en": {
            "titles": (
                "{winner} beat {loser} {ws}-{ls}",
                "Football: {winner} outclass {loser} in {city}",
                "{scorer} fires {winner} to victory over {loser}",
            ),
            "leads": (
                "{winner} beat {loser} {ws}-{ls} at the municipal stadium in {city} on matchday {round} of the national championship, in front of {attendance} spectators. {scorer} was named man of the match.",
                "It was a good night for {winner}, who defeated {loser} {ws}-{ls} in {city} on matchday {round}. {scorer} scored the decisive goal in the {minute}th minute of a match that stayed open until the end.",
            ),
            "body": (
                "The first half was evenly balanced, with both sides cancelling each other out in midfield. After the break {winner} raised the tempo and exploited the gaps left by a tiring {loser} defence. {scorer} found the net in the {minute}th minute with a low shot across the goalkeeper.",
                "The win lifts {winner} three places in the table and closer to the top three. Coach {coach} praised his squad's attitude: \"We were patient and we stuck together. The players followed the game plan until the very end,\" he told reporters after the match.",
                "For {loser}, the defeat is hard to swallow. The club has now gone several games without a convincing result, and the supporters who travelled in numbers to {city} voiced their frustration at the final whistle. Next week's home game already looks decisive.",
            ),
        },
    },
    "rain": {
        "fr": {
            "titles": (
                "Fortes pluies sur {city} : {mm} mm en {hours} heures",
                "Les pluies font remonter les barrages de la région {region}",
                "{region} : des précipitations record, routes coupées autour de {city}",
            ),
            "leads": (
                "La ville de {city} a enregistré {mm} millimètres de pluie en {hours} heures, selon les relevés de la météorologie nationale. Ces précipitations abondantes ont touché l'ensemble de la région {region}, où plusieurs routes secondaires ont été temporairement coupées.",
                "Après des mois de sécheresse, la pluie est enfin au rendez-vous dans la région {region}. La station de {city} a mesuré {mm} millimètres en {hours} heures, un cumul que les agriculteurs n'avaient plus vu depuis plusieurs saisons.",
            ),
            "body": (
                "Le taux de remplissage des barrages de la région est passé de {prev} % à {pct} % en quelques jours, a indiqué {official}, {role}. Celui-ci appelle toutefois à la prudence : « Ces pluies sont bénéfiques, mais elles ne suffisent pas à compenser plusieurs années de déficit hydrique ».",
                "Les autorités locales ont signalé {roads} routes provinciales coupées par la montée des oueds. Des engins ont été mobilisés pour dégager les chaussées et aucune victime n'est à déplorer. Les écoles de deux communes rurales sont restées fermées par précaution.",
                "Dans les campagnes autour de {city}, ces averses sont accueillies avec soulagement. Les céréaliculteurs espèrent sauver une partie de la saison, tandis que les éleveurs comptent sur le retour des pâturages pour réduire leurs dépenses en fourrage.",
            ),
        },
        "ar": {
            "titles": (
                "أمطار غزيرة بـ{city}: {mm} ملم في {hours} ساعة",
                "التساقطات ترفع نسبة ملء السدود في {region}",
                "{region}: تساقطات قياسية وانقطاع طرق بمحيط {city}",
            ),
            "leads": (
                "سجلت مدينة {city} {mm} ملم من الأمطار خلال {hours} ساعة، حسب معطيات المديرية العامة للأرصاد الجوية. وشملت هذه التساقطات الغزيرة مجموع تراب {region}، حيث انقطعت حركة السير مؤقتا في عدد من الطرق الثانوية.",
                "بعد شهور من الجفاف، عادت الأمطار أخيرا إلى {region}، إذ سجلت محطة {city} {mm} ملم في ظرف {hours} ساعة، وهي كمية لم يعرفها الفلاحون منذ عدة مواسم.",
            ),
            "body": (
                "وارتفعت نسبة ملء سدود الجهة من {prev} في المائة إلى {pct} في المائة في ظرف أيام قليلة، حسب ما أفاد به {official}، {role}، الذي دعا مع ذلك إلى الحذر قائلا: «هذه الأمطار مفيدة، لكنها لا تكفي لتعويض سنوات من العجز المائي».",
                "وأفادت السلطات المحلية بانقطاع {roads} طرق إقليمية بسبب ارتفاع منسوب الأودية، وتمت تعبئة آليات لفتح المسالك، دون تسجيل أي خسائر في الأرواح. كما ظلت مدارس جماعتين قرويتين مغلقة من باب الاحتياط.",
                "وفي البوادي المحيطة بـ{city}، استقبل السكان هذه الأمطار بارتياح كبير، إذ يأمل مزارعو الحبوب في إنقاذ جزء من الموسم، بينما يعول مربو الماشية على عودة المراعي لتقليص مصاريف الأعلاف.",
            ),
        },
        "en": {
            "titles": (
                "Heavy rain in {city}: {mm} mm in {hours} hours",
                "Rainfall lifts dam levels across {region}",
                "Record rainfall cuts roads around {city}",
            ),
            "leads": (
                "{city} recorded {mm} millimetres of rain in {hours} hours, according to the national weather service. The downpours affected the whole {region} region, where several secondary roads were temporarily closed.",
                "After months of drought, rain has finally returned to the {region} region. The {city} weather station measured {mm} millimetres in {hours} hours, a total farmers had not seen for several seasons.",
            ),
            "body": (
                "Reservoirs in the region rose from {prev}% to {pct}% of capacity in a few days, said {official}, {role}. He nonetheless urged caution: \"This rain is welcome, but it does not make up for several years of water deficit.\"",
                "Local authorities reported {roads} provincial roads cut by rising rivers. Machinery was sent to clear the roads and no casualties were reported. Schools in two rural municipalities stayed closed as a precaution.",
                "In the countryside around {city}, the showers were greeted with relief. Cereal growers hope to save part of the season, while herders are counting on the return of pasture to cut their spending on fodder.",
            ),
        },
    },
    "vote": {
        "fr": {
            "titles": (
                "La {chamber} adopte le {bill}",
                "{bill_cap} : {votes_for} voix pour, {votes_against} contre à la {chamber}",
                "Budget : feu vert de la {chamber}, le déficit visé à {deficit} %",
            ),
            "leads": (
                "La {chamber} a adopté le {bill} par {votes_for} voix pour, {votes_against} contre et {abstain} abstentions, au terme d'une séance plénière marathon. Le texte prévoit un budget général de {amount} milliards de dirhams.",
                "Après plusieurs semaines de débats en commission, le {bill} a été voté par la {chamber} : {votes_for} élus l'ont soutenu et {votes_against} s'y sont opposés. Le gouvernement table sur une croissance de {growth} % et un déficit ramené à {deficit} % du PIB.",
            ),
            "body": (
                "Présentant le texte, {official}, {role}, a défendu « un budget de responsabilité » qui donne la priorité à l'investissement public, à l'eau et à la protection sociale. Selon lui, l'objectif de déficit de {deficit} % reste compatible avec la poursuite des grands chantiers.",
                "L'opposition a dénoncé des hypothèses jugées trop optimistes, notamment sur le prix des matières premières et sur la récolte céréalière. Plusieurs de ses élus ont regretté que leurs amendements sur le pouvoir d'achat aient été rejetés.",
                "Le texte prévoit notamment la création de postes budgétaires dans l'éducation et la santé ainsi qu'une hausse des crédits destinés aux régions. Il doit désormais poursuivre son parcours législatif avant sa publication au Bulletin officiel.",
            ),
        },
        "ar": {
            "titles": (
                "{chamber} يصادق على {bill}",
                "{bill}: {votes_for} صوتا مؤيدا و{votes_against} معارضا في {chamber}",
                "الميزانية: ضوء أخضر من {chamber} وعجز مستهدف في حدود {deficit} في المائة",
            ),
            "leads": (
                "صادق {chamber} على {bill} بأغلبية {votes_for} صوتا، مقابل معارضة {votes_against} وامتناع {abstain} عن التصويت، وذلك في ختام جلسة عامة ماراثونية. ويتضمن النص ميزانية عامة تناهز {amount} مليار درهم.",
                "بعد أسابيع من النقاش داخل اللجان، صوت {chamber} على {bill}، إذ أيده {votes_for} عضوا وعارضه {votes_against}. وتراهن الحكومة على تحقيق نسبة نمو في حدود {growth} في المائة وتقليص العجز إلى {deficit} في المائة من الناتج الداخلي الخام.",
            ),
            "body": (
                "وفي تقديمه للمشروع، دافع {official}، {role}، عن «ميزانية المسؤولية» التي تمنح الأولوية للاستثمار العمومي والماء والحماية الاجتماعية، مؤكدا أن هدف العجز المحدد في {deficit} في المائة يبقى منسجما مع مواصلة الأوراش الكبرى.",
                "في المقابل، انتقدت المعارضة فرضيات اعتبرتها متفائلة أكثر من اللازم، خاصة ما يتعلق بأسعار المواد الأولية والمحصول الزراعي، وأعرب عدد من أعضائها عن أسفهم لرفض تعديلاتهم المتعلقة بالقدرة الشرائية.",
                "وينص المشروع بالخصوص على إحداث مناصب مالية في قطاعي التعليم والصحة، والرفع من الاعتمادات المخصصة للجهات، على أن يواصل مساره التشريعي قبل نشره في الجريدة الرسمية.",
            ),
        },
        "en": {
            "titles": (
                "{chamber} passes the {bill}",
                "{bill_cap} clears {chamber} by {votes_for} votes to {votes_against}",
                "Budget approved by {chamber}, deficit target set at {deficit}%",
            ),
            "leads": (
                "The {chamber} passed the {bill} by {votes_for} votes to {votes_against}, with {abstain} abstentions, at the end of a marathon plenary session. The text sets the general budget at {amount} billion dirhams.",
                "After weeks of committee debate, the {bill} was approved by the {chamber}, with {votes_for} members in favour and {votes_against} against. The government expects growth of {growth}% and a deficit cut to {deficit}% of GDP.",
            ),
            "body": (
                "Presenting the bill, {official}, {role}, defended \"a responsible budget\" that puts public investment, water and social protection first. The {deficit}% deficit target, he said, still leaves room for the country's major infrastructure projects.",
                "The opposition criticised assumptions it considers too optimistic, especially on commodity prices and the grain harvest. Several of its members regretted that their amendments on purchasing power had been rejected.",
                "The bill creates new budget posts in education and health and raises the funds allocated to the regions. It must now complete its passage through parliament before publication in the Official Bulletin.",
            ),
        },
    },
    "port": {
        "fr": {
            "titles": (
                "Le port de {city} lance une extension de {investment} milliards de dirhams",
                "{city} : un nouveau quai de {quay} mètres pour le port",
                "Extension du port de {city} : capacité portée à {teu} millions de conteneurs",
            ),
            "leads": (
                "Les travaux d'extension du port de {city} ont officiellement démarré sous la présidence de {official}, {role}. Le projet, d'un coût de {investment} milliards de dirhams, doit porter la capacité du terminal à {teu} millions de conteneurs EVP par an d'ici {done}.",
                "Le port de {city} va changer de dimension. Un programme d'extension de {investment} milliards de dirhams prévoit un nouveau quai de {quay} mètres et {berths} postes à quai supplémentaires, a annoncé {official}, {role}.",
            ),
            "body": (
                "Le chantier comprend un quai en eau profonde de {quay} mètres, des terre-pleins gagnés sur la mer et une nouvelle digue de protection. À terme, le port pourra accueillir des porte-conteneurs de dernière génération, aujourd'hui contraints de faire escale dans d'autres ports de la région.",
                "Selon l'autorité portuaire, le projet devrait générer environ {jobs} emplois pendant les travaux puis plusieurs centaines d'emplois permanents dans la logistique. Les opérateurs de la zone industrielle voisine y voient l'occasion de réduire leurs coûts d'exportation.",
                "Des associations de pêcheurs ont toutefois demandé des garanties pour le maintien de leur bassin et de la halle aux poissons. Les responsables du projet assurent qu'une darse dédiée à la pêche artisanale sera réaménagée avant la fin du chantier, prévue en {done}.",
            ),
        },
        "ar": {
            "titles": (
                "ميناء {city} يطلق توسعة بقيمة {investment} مليار درهم",
                "{city}: رصيف جديد بطول {quay} مترا بالميناء",
                "توسعة ميناء {city} ترفع طاقته إلى {teu} مليون حاوية",
            ),
            "leads": (
                "انطلقت رسميا أشغال توسعة ميناء {city} تحت إشراف {official}، {role}. ويكلف المشروع {investment} مليار درهم، ويهدف إلى رفع الطاقة الاستيعابية للمحطة إلى {teu} مليون حاوية سنويا في أفق سنة {done}.",
                "يستعد ميناء {city} لتغيير حجمه، إذ أعلن {official}، {role}، عن برنامج توسعة بقيمة {investment} مليار درهم يشمل رصيفا جديدا بطول {quay} مترا و{berths} مراكز رسو إضافية.",
            ),
            "body": (
                "ويتضمن الورش رصيفا في المياه العميقة بطول {quay} مترا وأرضيات مسترجعة من البحر وحاجزا جديدا للحماية، وهو ما سيمكن الميناء مستقبلا من استقبال سفن الحاويات من الجيل الأخير التي تضطر حاليا إلى الرسو في موانئ أخرى بالمنطقة.",
                "وحسب السلطة المينائية، من المرتقب أن يوفر المشروع حوالي {jobs} منصب شغل خلال فترة الأشغال، ثم مئات المناصب الدائمة في مجال اللوجستيك. ويرى الفاعلون في المنطقة الصناعية المجاورة في ذلك فرصة لخفض كلفة التصدير.",
                "غير أن جمعيات الصيادين طالبت بضمانات للحفاظ على حوض الصيد وسوق السمك، فيما أكد المسؤولون عن المشروع أنه ستتم إعادة تهيئة حوض مخصص للصيد التقليدي قبل نهاية الأشغال المرتقبة سنة {done}.",
            ),
        },
        "en": {
            "titles": (
                "{city} port launches {investment} billion dirham expansion",
                "New {quay}-metre quay planned for {city} port",
                "{city} port expansion to lift capacity to {teu} million containers",
            ),
            "leads": (
                "Work to expand the port of {city} officially began under the supervision of {official}, {role}. The {investment} billion dirham project is designed to raise the terminal's capacity to {teu} million TEU a year by {done}.",
                "The port of {city} is about to change scale. An expansion programme worth {investment} billion dirhams includes a new {quay}-metre quay and {berths} additional berths, {official}, {role}, announced.",
            ),
            "body": (
                "The works include a {quay}-metre deep-water quay, land reclaimed from the sea and a new breakwater. Once finished, the port will be able to receive the latest generation of container ships, which currently have to call at other ports in the region.",
                "According to the port authority, the project should create around {jobs} jobs during construction and several hundred permanent positions in logistics. Companies in the neighbouring industrial zone see it as a chance to cut their export costs.",
                "Fishermen's associations have asked for guarantees that their basin and fish market will be preserved. Project managers say a dock dedicated to small-scale fishing will be rebuilt before the works end in {done}.",
            ),
        },
    },
    "festival": {
        "fr": {
            "titles": (
                "{city} : coup d'envoi de la {edition}e édition du {fest}",
                "Le {fest} attend {visitors} 000 visiteurs à {city}",
                "{artists} artistes de {countries} pays au {fest}",
            ),
            "leads": (
                "La {edition}e édition du {fest} s'est ouverte à {city} devant un public nombreux. Pendant {days} jours, {artists} artistes venus de {countries} pays se produiront sur les scènes installées dans la médina et sur les places de la ville.",
                "Rendez-vous incontournable de la saison culturelle, le {fest} revient à {city} pour sa {edition}e édition. Les organisateurs espèrent accueillir quelque {visitors} 000 visiteurs en {days} jours de concerts, d'expositions et de rencontres.",
            ),
            "body": (
                "Le programme mêle musiques traditionnelles, créations contemporaines et ateliers ouverts aux enfants. « Nous voulons que le festival appartienne d'abord aux habitants de {city} », explique {official}, {role}, qui insiste sur la gratuité de la majorité des spectacles.",
                "Les hôteliers de la ville affichent complet pour le week-end d'ouverture. Selon la délégation régionale du tourisme, l'édition précédente avait généré des retombées économiques importantes pour les commerçants, les artisans et les maisons d'hôtes.",
                "Un hommage sera rendu lors de la soirée de clôture aux artistes disparus de la région, et un concours de jeunes talents permettra à {young} groupes amateurs de monter sur la grande scène. Les organisateurs ont également renforcé le dispositif de sécurité et de transport.",
            ),
        },
        "ar": {
            "titles": (
                "{city}: انطلاق الدورة {edition} من {fest}",
                "{fest} ينتظر {visitors} ألف زائر بـ{city}",
                "{artists} فنانا من {countries} دولة في {fest}",
            ),
            "leads": (
                "انطلقت بمدينة {city} فعاليات الدورة {edition} من {fest} وسط حضور جماهيري كبير، حيث سيعتلي {artists} فنانا قادمين من {countries} دولة، على مدى {days} أيام، منصات نصبت في المدينة العتيقة وساحات المدينة.",
                "يعود {fest}، أحد أبرز مواعيد الموسم الثقافي، إلى مدينة {city} في دورته {edition}، ويأمل المنظمون في استقبال حوالي {visitors} ألف زائر خلال {days} أيام من الحفلات والمعارض واللقاءات.",
            ),
            "body": (
                "ويمزج البرنامج بين الموسيقى التقليدية والإبداعات المعاصرة وورشات مفتوحة في وجه الأطفال. وقال {official}، {role}: «نريد أن يكون المهرجان ملكا لسكان {city} أولا»، مشددا على مجانية أغلب العروض.",
                "وأعلنت فنادق المدينة عن امتلاء طاقتها الإيوائية خلال عطلة نهاية الأسبوع الأولى. وحسب المندوبية الجهوية للسياحة، فقد خلفت الدورة السابقة عائدات اقتصادية مهمة لفائدة التجار والصناع التقليديين ودور الضيافة.",
                "وسيتم خلال حفل الاختتام تكريم فنانين راحلين من أبناء المنطقة، كما ستتيح مسابقة للمواهب الشابة لـ{young} فرق هاوية فرصة الصعود إلى المنصة الكبرى. وعزز المنظمون إجراءات الأمن والنقل.",
            ),
        },
        "en": {
            "titles": (
                "{fest} opens its {edition_ord} edition in {city}",
                "{fest} expects {visitors},000 visitors in {city}",
                "{artists} artists from {countries} countries at the {fest}",
            ),
            "leads": (
                "The {edition_ord} edition of the {fest} opened in {city} before a large crowd. Over {days} days, {artists} artists from {countries} countries will perform on stages set up in the medina and the city's squares.",
                "One of the highlights of the cultural season, the {fest} returns to {city} for its {edition_ord} edition. Organisers hope to welcome some {visitors},000 visitors over {days} days of concerts, exhibitions and talks.",
            ),
            "body": (
                "The programme mixes traditional music, contemporary work and workshops for children. \"We want the festival to belong first of all to the people of {city},\" said {official}, {role}, stressing that most performances are free.",
                "Hotels in the city are fully booked for the opening weekend. According to the regional tourism office, last year's edition brought significant income to shopkeepers, craftsmen and guesthouses.",
                "The closing night will pay tribute to late artists from the region, and a young talent contest will give {young} amateur bands a chance to play the main stage. Organisers have also stepped up security and transport arrangements.",
            ),
        },
    },
    "heatwave": {
        "fr": {
            "titles": (
                "Vague de chaleur : jusqu'à {temp} °C attendus à {city}",
                "Canicule : alerte {level} sur {city}, {city2} et {city3}",
                "{city} étouffe sous {temp} degrés",
            ),
            "leads": (
                "Une vague de chaleur touchera à partir de demain plusieurs provinces du Royaume, avec des températures comprises entre 42 et {temp} degrés, selon un bulletin d'alerte de niveau {level} publié par la météorologie nationale. {city}, {city2} et {city3} sont parmi les villes les plus exposées.",
                "Les thermomètres s'affolent : {temp} °C sont attendus à {city} pendant {days} jours, soit {dev} degrés de plus que les normales saisonnières. Un bulletin d'alerte de niveau {level} concerne également {city2} et {city3}.",
            ),
            "body": (
                "{official}, {role}, explique ce pic par la remontée d'une masse d'air chaud et sec en provenance du Sahara. « Les nuits resteront très chaudes, ce qui rend l'épisode particulièrement pénible pour les personnes âgées et les enfants », prévient-il.",
                "Les autorités sanitaires recommandent d'éviter les sorties aux heures les plus chaudes, de boire régulièrement et de ne jamais laisser d'enfant dans un véhicule stationné. Les services d'urgence des hôpitaux de {city} ont été placés en état de vigilance.",
                "Dans les souks et sur les chantiers, l'activité ralentit dès la fin de la matinée. Les agriculteurs craignent pour les vergers et les cultures maraîchères, déjà fragilisés par le manque d'eau, tandis que la consommation d'électricité atteint des niveaux élevés.",
            ),
        },
        "ar": {
            "titles": (
                "موجة حر: درجات حرارة تصل إلى {temp} درجة بـ{city}",
                "نشرة إنذارية من مستوى {level}: موجة حر تهم {city} و{city2} و{city3}",
                "{city} تختنق تحت {temp} درجة",
            ),
            "leads": (
                "تعرف عدة أقاليم بالمملكة ابتداء من يوم غد موجة حر تتراوح خلالها درجات الحرارة بين 42 و{temp} درجة، حسب نشرة إنذارية من مستوى {level} أصدرتها المديرية العامة للأرصاد الجوية. وتعد {city} و{city2} و{city3} من أكثر المدن المعنية.",
                "من المرتقب أن تصل درجة الحرارة إلى {temp} درجة بمدينة {city} على مدى {days} أيام، أي بزيادة {dev} درجات عن المعدلات الموسمية، فيما تشمل النشرة الإنذارية من مستوى {level} أيضا {city2} و{city3}.",
            ),
            "body": (
                "وأوضح {official}، {role}، أن هذا الارتفاع يعود إلى تدفق كتلة هوائية حارة وجافة قادمة من الصحراء، مضيفا: «ستظل الليالي حارة جدا، مما يجعل هذه الموجة صعبة بشكل خاص على المسنين والأطفال».",
                "وتوصي السلطات الصحية بتفادي الخروج خلال ساعات الذروة، والإكثار من شرب الماء، وعدم ترك الأطفال داخل السيارات المركونة، كما وضعت مصالح المستعجلات بمستشفيات {city} في حالة تأهب.",
                "وفي الأسواق وأوراش البناء، يتراجع النشاط مع نهاية الفترة الصباحية، بينما يخشى الفلاحون على البساتين والزراعات المعيشية التي أنهكها نقص المياه، في وقت بلغ فيه استهلاك الكهرباء مستويات مرتفعة.",
            ),
        },
        "en": {
            "titles": (
                "Heatwave: up to {temp}C expected in {city}",
                "{level_cap} alert as heatwave hits {city}, {city2} and {city3}",
                "{city} swelters at {temp} degrees",
            ),
            "leads": (
                "A heatwave will hit several provinces from tomorrow, with temperatures between 42 and {temp} degrees Celsius, according to a level {level} alert issued by the national weather service. {city}, {city2} and {city3} are among the most exposed cities.",
                "Temperatures are expected to reach {temp}C in {city} for {days} days, {dev} degrees above the seasonal average. The {level} alert issued by the national weather service also covers {city2} and {city3}.",
            ),
            "body": (
                "{official}, {role}, attributed the spike to a mass of hot, dry air moving up from the Sahara. \"Nights will remain very hot, which makes this episode especially hard on the elderly and children,\" he warned.",
                "Health authorities advise people to stay indoors during the hottest hours, drink regularly and never leave a child in a parked car. Emergency departments at hospitals in {city} have been put on alert.",
                "In markets and on building sites, activity slows down by late morning. Farmers fear for orchards and vegetable crops already weakened by water shortages, while electricity consumption has reached high levels.",
            ),
        },
    },
    "train": {
        "fr": {
            "titles": (
                "Nouvelle ligne ferroviaire {city}-{city2} : {minutes} minutes de trajet",
                "Le train relie désormais {city} à {city2} en {minutes} minutes",
                "Rail : mise en service de la ligne {city}-{city2}, {km} km de voie",
            ),
            "leads": (
                "La ligne ferroviaire reliant {city} à {city2} a été mise en service, en présence de {official}, {role}. Longue de {km} kilomètres, elle ramène la durée du trajet à {minutes} minutes, contre {old} minutes auparavant par la route.",
                "Les premiers voyageurs ont embarqué ce matin en gare de {city} à destination de {city2}. La nouvelle ligne de {km} kilomètres, qui a coûté {cost} milliards de dirhams, sera desservie par {trains} trains par jour dans chaque sens.",
            ),
            "body": (
                "La ligne compte {stations} gares intermédiaires, dont plusieurs dans des communes jusqu'ici mal desservies par les transports publics. Les trains circuleront de 6 heures à 22 heures, avec une fréquence renforcée aux heures de pointe, selon l'opérateur ferroviaire.",
                "Le projet, d'un coût de {cost} milliards de dirhams, a mobilisé jusqu'à {jobs} ouvriers sur les chantiers. Les travaux ont notamment nécessité la construction de plusieurs ouvrages d'art et d'un tunnel pour franchir le relief.",
                "Pour les étudiants et les salariés qui font chaque jour l'aller-retour, la nouvelle liaison change la donne. « Je perdais près de trois heures par jour sur la route », témoigne un voyageur rencontré sur le quai, qui salue aussi des tarifs d'abonnement jugés abordables.",
            ),
        },
        "ar": {
            "titles": (
                "خط سككي جديد بين {city} و{city2}: الرحلة في {minutes} دقيقة",
                "القطار يربط {city} بـ{city2} في {minutes} دقيقة",
                "السكك الحديدية: دخول خط {city}-{city2} حيز الخدمة على طول {km} كيلومترا",
            ),
            "leads": (
                "دخل الخط السككي الرابط بين {city} و{city2} حيز الخدمة، بحضور {official}، {role}. ويمتد الخط على طول {km} كيلومترا، ويقلص مدة الرحلة إلى {minutes} دقيقة، مقابل {old} دقيقة في السابق عبر الطريق.",
                "استقل أول المسافرين صباح اليوم القطار من محطة {city} في اتجاه {city2}، عبر الخط الجديد الممتد على {km} كيلومترا، والذي كلف {cost} مليار درهم، وستؤمنه {trains} رحلة يوميا في كل اتجاه.",
            ),
            "body": (
                "ويضم الخط {stations} محطات وسيطة، من بينها محطات في جماعات ظلت إلى حدود اليوم تعاني من ضعف خدمات النقل العمومي. وحسب المكتب المشرف على السكك، ستسير القطارات من السادسة صباحا إلى العاشرة ليلا، مع رفع الوتيرة في ساعات الذروة.",
                "وقد بلغت كلفة المشروع {cost} مليار درهم، وشغلت الأوراش في ذروتها حوالي {jobs} عامل. وتطلبت الأشغال بالخصوص بناء عدد من المنشآت الفنية ونفق لعبور المرتفعات.",
                "وبالنسبة للطلبة والأجراء الذين يتنقلون يوميا بين المدينتين، يمثل الخط الجديد تحولا حقيقيا. ويقول أحد المسافرين الذين التقيناهم على الرصيف: «كنت أضيع قرابة ثلاث ساعات يوميا في الطريق»، منوها بأسعار الاشتراك التي يعتبرها في المتناول.",
            ),
        },
        "en": {
            "titles": (
                "New {city}-{city2} rail line cuts journey to {minutes} minutes",
                "Trains now link {city} and {city2} in {minutes} minutes",
                "{km} km {city}-{city2} railway enters service",
            ),
            "leads": (
                "The railway line linking {city} and {city2} entered service in the presence of {official}, {role}. The {km}-kilometre line cuts travel time to {minutes} minutes, compared with {old} minutes by road.",
                "The first passengers boarded at {city} station this morning bound for {city2}. The new {km}-kilometre line, which cost {cost} billion dirhams, will be served by {trains} trains a day in each direction.",
            ),
            "body": (
                "The line has {stations} intermediate stations, several of them in towns that until now had poor public transport. Trains will run from 6 a.m. to 10 p.m., with extra services at peak hours, according to the rail operator.",
                "The {cost} billion dirham project employed up to {jobs} workers at its peak. The works required several bridges and viaducts as well as a tunnel through the hills.",
                "For students and employees who commute every day, the new link is a game changer. \"I used to lose almost three hours a day on the road,\" said a passenger on the platform, who also welcomed season-ticket prices he considers affordable.",
            ),
        },
    },
}

GENERIC = {
    "fr": (
        "Pour {resident}, habitant de {city} rencontré par notre rédaction, « c'est une bonne nouvelle, mais il faudra juger sur la durée ». Un avis partagé par de nombreux commerçants du centre-ville, qui attendent des retombées concrètes dans les prochains mois.",
        "Les élus du conseil régional de {region} ont salué une avancée importante pour le territoire. Ils rappellent néanmoins que d'autres projets annoncés depuis plusieurs années attendent encore leur financement.",
        "Ce dossier s'inscrit dans une série d'annonces faites depuis {since} pour réduire les écarts entre les régions. Les observateurs notent que le suivi des projets sur le terrain reste le principal défi des administrations locales.",
        "Les réseaux sociaux se sont rapidement emparés de l'information. Photos et vidéos ont circulé toute la journée, accompagnées de commentaires tantôt enthousiastes, tantôt sceptiques, notamment parmi les jeunes de {city}.",
        "Un économiste de l'université de {city} estime que l'impact réel dépendra de la capacité des acteurs locaux à s'approprier le projet. « Les infrastructures ne suffisent pas, il faut aussi former et accompagner », souligne-t-il.",
        "Un point d'étape est prévu dans les prochaines semaines. Les autorités de la région {region} ont promis de publier régulièrement des chiffres afin de permettre aux citoyens de suivre l'avancement du dossier.",
        "À {city}, plusieurs associations de quartier comptent organiser des réunions publiques pour expliquer les changements à venir. Elles réclament aussi davantage de transparence sur le calendrier et sur les entreprises retenues.",
        "Interrogé sur le coût de l'opération, un responsable local a assuré que les engagements financiers seraient tenus. « Chaque dirham sera suivi et publié », a-t-il promis, sans toutefois préciser la date du prochain bilan.",
    ),
    "ar": (
        "وبالنسبة لـ{resident}، أحد سكان {city} الذين التقتهم الجريدة، فإن «الأمر خبر سار، لكن الحكم عليه يحتاج إلى وقت». وهو رأي يشاطره عدد من تجار وسط المدينة الذين ينتظرون انعكاسات ملموسة خلال الأشهر المقبلة.",
        "ونوه منتخبو مجلس {region} بهذه الخطوة التي اعتبروها مكسبا مهما للمنطقة، مذكرين في الوقت ذاته بأن مشاريع أخرى أعلن عنها منذ سنوات ما تزال تنتظر التمويل.",
        "ويندرج هذا الملف ضمن سلسلة من الإعلانات التي توالت منذ سنة {since} بهدف تقليص الفوارق بين الجهات، ويرى متتبعون أن تتبع المشاريع على أرض الواقع يظل التحدي الأكبر أمام الإدارات المحلية.",
        "وسرعان ما تفاعلت مواقع التواصل الاجتماعي مع الخبر، حيث تداول رواد هذه المواقع صورا ومقاطع فيديو طيلة اليوم، مرفقة بتعليقات تراوحت بين الحماس والتشكيك، خاصة في أوساط شباب {city}.",
        "ويرى أستاذ للاقتصاد بجامعة {city} أن الأثر الحقيقي سيتوقف على قدرة الفاعلين المحليين على تملك المشروع، مضيفا: «البنيات التحتية وحدها لا تكفي، بل يجب أيضا التكوين والمواكبة».",
        "ومن المنتظر تنظيم لقاء لتقييم المرحلة خلال الأسابيع المقبلة، فيما تعهدت سلطات {region} بنشر المعطيات بشكل منتظم حتى يتمكن المواطنون من تتبع تقدم الملف.",
        "وفي {city}، تعتزم عدد من جمعيات الأحياء تنظيم لقاءات تواصلية لشرح التغييرات المرتقبة للسكان، كما تطالب بمزيد من الشفافية بخصوص الجدولة الزمنية والمقاولات التي وقع عليها الاختيار.",
        "وردا على سؤال حول كلفة العملية، أكد مسؤول محلي أن الالتزامات المالية سيتم احترامها، وقال: «كل درهم سيتم تتبعه والإعلان عنه»، دون أن يحدد موعد الحصيلة المقبلة.",
    ),
    "en": (
        "For {resident}, a resident of {city} we spoke to, \"it is good news, but we will have to judge it over time.\" Many shopkeepers in the city centre share that view and are waiting for tangible benefits in the coming months.",
        "Members of the {region} regional council welcomed an important step for the area, while pointing out that other projects announced years ago are still waiting for funding.",
        "The announcement is part of a series of measures launched since {since} to narrow the gaps between regions. Observers note that following projects through on the ground remains the main challenge for local administrations.",
        "The news spread quickly on social media. Photos and videos circulated all day, with comments ranging from enthusiastic to sceptical, particularly among young people in {city}.",
        "An economist at the university in {city} said the real impact will depend on whether local actors take ownership of the project. \"Infrastructure is not enough; training and support are needed too,\" he said.",
        "A progress review is planned in the coming weeks. Authorities in the {region} region have promised to publish figures regularly so that citizens can follow the project.",
        "In {city}, several neighbourhood associations plan public meetings to explain the coming changes to residents. They are also calling for more transparency about the timetable and the companies selected.",
        "Asked about the cost of the operation, a local official insisted that the financial commitments would be honoured. \"Every dirham will be tracked and published,\" he promised, without giving a date for the next review.",
    ),
}

# Reader comments: short, in each language; joined two by two where an outlet wants long threads.
COMMENTS = {
    "fr": (
        "Enfin une bonne nouvelle pour notre région, il était temps !",
        "On nous annonce beaucoup de projets mais sur le terrain les choses avancent lentement. J'attends de voir le résultat dans deux ans avant de me réjouir.",
        "Bravo aux équipes qui ont travaillé sur ce dossier. Il faudrait maintenant penser aussi aux petites communes oubliées de l'arrière-pays.",
        "Article intéressant, mais il manque l'avis des habitants directement concernés. Pourquoi ne pas les interroger davantage ?",
        "Je suis de la région et je confirme que la situation était devenue difficile. Espérons que cela change vraiment le quotidien des familles.",
        "Les chiffres sont impressionnants, mais qui va payer au final ? Toujours le contribuable, comme d'habitude.",
    ),
    "ar": (
        "أخيرا خبر سار لمنطقتنا، لقد طال الانتظار!",
        "نسمع عن مشاريع كثيرة لكن الأمور على أرض الواقع تسير ببطء. سأنتظر النتائج بعد سنتين قبل أن أفرح.",
        "تحية للفرق التي اشتغلت على هذا الملف، ويجب الآن التفكير أيضا في الجماعات الصغيرة المنسية في المناطق الداخلية.",
        "مقال مفيد، لكن ينقصه رأي السكان المعنيين مباشرة. لماذا لا يتم الاستماع إليهم أكثر؟",
        "أنا من أبناء المنطقة وأؤكد أن الوضع أصبح صعبا. نتمنى أن يغير هذا فعلا الحياة اليومية للأسر.",
        "الأرقام مبهرة، لكن من سيدفع في النهاية؟ دافع الضرائب كالعادة.",
    ),
    "en": (
        "Finally some good news for our region, about time!",
        "We hear about plenty of projects but things move slowly on the ground. I will wait to see the results in two years before celebrating.",
        "Well done to the teams who worked on this. Now the small forgotten towns further inland deserve the same attention.",
        "Interesting article, but it lacks the views of the people directly affected. Why not ask them more?",
        "I am from the region and I can confirm things had become difficult. Let us hope this really changes daily life for families.",
        "The figures are impressive, but who pays in the end? The taxpayer, as usual.",
    ),
}
COMMENTERS = ("Youssef_B", "Salma.R", "Abdou1985", "Nour", "Rif_Lover", "Hamid K.", "Meriem",
              "Atlas_77", "Driss", "Kenza M.")

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    # Moroccan usage of month names
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر",
           "نونبر", "دجنبر"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}

SECTIONS = {
    # category -> lang -> (URL slug, label)
    "politics": {"fr": ("politique", "Politique"), "ar": ("siyasa", "سياسة"), "en": ("politics", "Politics")},
    "economy": {"fr": ("economie", "Économie"), "ar": ("iqtisad", "اقتصاد"), "en": ("economy", "Economy")},
    "society": {"fr": ("societe", "Société"), "ar": ("mujtamaa", "مجتمع"), "en": ("society", "Society")},
    "sport": {"fr": ("sport", "Sport"), "ar": ("riyada", "رياضة"), "en": ("sport", "Sport")},
    "culture": {"fr": ("culture", "Culture"), "ar": ("thaqafa", "ثقافة"), "en": ("culture", "Culture")},
}

UI = {
    "fr": {"read_also": "Lire aussi", "comments": "Commentaires", "most_read": "Les plus lus",
           "share": "Partager", "rights": "Tous droits réservés.", "legal": "Mentions légales",
           "contact": "Contact", "ad": "Publicité", "accept": "J'accepte", "published": "Publié le",
           "home": "Accueil", "updated": "Mis à jour",
           "cookies": "Nous utilisons des cookies pour améliorer votre expérience et mesurer l'audience. En poursuivant votre navigation, vous acceptez leur utilisation.",
           "latest": "À la une", "subscribe": "Abonnez-vous à notre newsletter",
           "premium": "Cet article est réservé aux abonnés."},
    "ar": {"read_also": "اقرأ أيضا", "comments": "التعليقات", "most_read": "الأكثر قراءة",
           "share": "شارك", "rights": "جميع الحقوق محفوظة.", "legal": "إشعار قانوني",
           "contact": "اتصل بنا", "ad": "إعلان", "accept": "أوافق", "published": "نشر في",
           "home": "الرئيسية", "updated": "آخر تحديث",
           "cookies": "نستخدم ملفات تعريف الارتباط لتحسين تجربتك وقياس عدد الزوار. بمواصلة التصفح، فإنك توافق على استخدامها.",
           "latest": "آخر الأخبار", "subscribe": "اشترك في نشرتنا الإخبارية",
           "premium": "هذا المقال مخصص للمشتركين."},
    "en": {"read_also": "Read also", "comments": "Comments", "most_read": "Most read",
           "share": "Share", "rights": "All rights reserved.", "legal": "Legal notice",
           "contact": "Contact", "ad": "Advertisement", "accept": "I accept", "published": "Published",
           "home": "Home", "updated": "Updated",
           "cookies": "We use cookies to improve your experience and measure our audience. By continuing to browse, you accept their use.",
           "latest": "Top stories", "subscribe": "Subscribe to our newsletter",
           "premium": "This article is for subscribers only."},
}
