"""Name material for the linkage ground truth: a few hundred common Pakistani given names,
fathers' names and family or tribal names by province, each with the Latin spellings clerks
write and its Urdu spelling (and the Urdu variants seen on records).

Lists are in rough order of frequency, most common first: the generator draws from them
with a Zipf-like skew, so the order matters. Entries are common names, not persons; the
generator combines them at random.

Each line of a block reads ``Latin / Latin … = Urdu / Urdu …``: the first Latin spelling is
the most usual, the first Urdu spelling the standard one, further Urdu spellings the
variants records show (with or without ی, ھ for ہ, the superscript alef left out, words run
together or apart). Spellings of different names never coincide: Hassan / Hasan and
Hussain / Husain are two names, and a test keeps them apart.
"""

from __future__ import annotations

Name = tuple[tuple[str, ...], str]  # (Latin spellings, Urdu spelling), as cpmis.demo.names

# Alternate Urdu spellings of a standard spelling, from the blocks below.
URDU_ALTERNATES: dict[str, tuple[str, ...]] = {}


def _block(text: str) -> list[Name]:
    out: list[Name] = []
    for line in text.strip().splitlines():
        latin, _, urdu = line.partition("=")
        spellings = tuple(s.strip() for s in latin.split("/") if s.strip())
        forms = [u.strip() for u in urdu.split("/") if u.strip()]
        if not spellings or not forms:
            raise ValueError(f"namepool: malformed line {line!r}")
        out.append((spellings, forms[0]))
        if len(forms) > 1:  # merged: a name may be listed in more than one block
            known = URDU_ALTERNATES.get(forms[0], ())
            URDU_ALTERNATES[forms[0]] = tuple(dict.fromkeys([*known, *forms[1:]]))
    return out


MUHAMMAD: Name = (("Muhammad", "Mohammad", "Muhammed", "Mohammed"), "محمد")
GHULAM: Name = (("Ghulam", "Gulam"), "غلام")
# How a clerk shortens "Muhammad" ("" drops it), and how one mistypes it.
MUHAMMAD_ABBREVIATIONS = ("Md", "Mohd", "M.", "")
MUHAMMAD_MISTYPED = (
    "Muahmad",
    "Mohamad",
    "Mhd",
    "Muhamad",
    "Muhammd",
    "Mohammd",
    "Mohamed",
    "Muhamed",
    "Mahammad",
    "Mouhammad",
)
MUHAMMAD_SPELLINGS = frozenset(MUHAMMAD[0])

BOYS: list[Name] = _block(
    """
Ali = علی
Ahmed / Ahmad = احمد
Hassan / Hasan = حسن
Hussain / Husain / Hussein / Husein = حسین
Bilal / Belal = بلال
Usman / Osman / Uthman = عثمان
Hamza / Humza / Hamzah = حمزہ
Umar / Omar / Umer / Omer = عمر
Abdullah / Abdulla / Abdallah = عبداللہ / عبد اللہ
Ibrahim / Ebrahim / Ibraheem = ابراہیم / ابراھیم
Yousaf / Yusuf / Yousuf / Yousef = یوسف
Zain / Zayn / Zaine = زین
Haider / Hyder / Haidar = حیدر
Imran = عمران
Abbas = عباس
Arslan / Arsalan = ارسلان
Saad = سعد
Fahad / Fahd = فہد
Faisal / Faysal = فیصل
Asad / Assad = اسد
Talha / Talhah = طلحہ
Zeeshan / Zishan = ذیشان
Shahzaib / Shahzeb / Shahzab = شاہزیب / شہزیب
Haris / Harris = حارث
Rizwan / Rizvan = رضوان
Waqas / Waqqas = وقاص
Danish = دانش
Irfan = عرفان
Kashif = کاشف
Sajid = ساجد
Junaid / Junaed = جنید
Tariq / Tarik / Tareq = طارق
Noman / Nouman / Numan = نعمان
Adnan = عدنان
Shoaib / Shuaib = شعیب
Raza = رضا
Ismail / Ismaeel / Ismael = اسماعیل / اسمعیل
Kamran = کامران
Nadeem / Nadim = ندیم
Rashid / Rasheed = راشد
Salman = سلمان
Sohail / Suhail = سہیل
Tahir / Taahir = طاہر
Waseem / Wasim / Vaseem = وسیم
Zubair / Zubere / Zubayr = زبیر
Aamir / Amir / Aamer = عامر
Babar / Babur = بابر
Jawad / Javad = جواد
Khalid / Khaled = خالد
Mansoor / Mansur = منصور
Owais / Uwais / Awais = اویس
Qasim / Kasim / Qaasim = قاسم
Rehan / Rayhan / Raihan = ریحان
Waleed / Walid = ولید
Adil / Aadil = عادل
Farhan = فرحان
Hasnain / Husnain = حسنین
Nabeel / Nabil = نبیل
Saqib / Saaqib = ثاقب
Umair / Omair / Umayr = عمیر
Yasir / Yaser / Yassir = یاسر
Anas = انس
Shayan / Shayaan = شایان
Ayaan / Ayan = ایان
Jamal = جمال
Majid / Majeed = ماجد
Sameer / Samir = سمیر
Ayaz / Ayyaz = ایاز
Shahid / Shahed = شاہد
Zahid / Zahed = زاہد
Abid / Aabid = عابد
Wajid = واجد
Naveed / Navid / Naveid = نوید
Gul = گل
Wali = ولی
Sher / Shair = شیر
Sultan = سلطان
Murad = مراد
Ayub / Ayoub / Ayyub = ایوب
Yaqoob / Yaqub / Yakub = یعقوب
Younis / Younus / Yunus / Yunis = یونس
Idrees / Idris = ادریس
Ilyas / Ilyaas / Elias = الیاس
Ishaq / Ishaque / Ishaaq = اسحاق
Musa / Moosa = موسیٰ / موسی
Eesa / Isa / Essa = عیسیٰ / عیسی
Yahya / Yahyah = یحییٰ / یحیی
Zakariya / Zakaria / Zakriya = زکریا
Sulaiman / Suleman / Sulemaan / Sulayman = سلیمان
Dawood / Dawud / Daud = داؤد / داود
Haroon / Harun / Haroun = ہارون
Mustafa / Mostafa = مصطفیٰ / مصطفی
Murtaza / Murtuza = مرتضیٰ / مرتضی
Mujtaba = مجتبیٰ / مجتبی
Hashim / Hashem = ہاشم
Qadir / Kadir = قادر
Qadeer / Kadeer = قدیر
Rafiq / Rafique / Rafeeq = رفیق
Shafiq / Shafique / Shafeeq = شفیق
Tauqeer / Toqeer / Tauqir = توقیر
Tanveer / Tanvir / Tanweer = تنویر
Touseef / Tauseef / Tousif = توصیف
Asif / Aasif = آصف
Atif / Aatif = عاطف
Akif / Aakif = عاکف
Arif / Aarif = عارف
Ashraf = اشرف
Aslam = اسلم
Akram = اکرم
Azam / Aazam = اعظم
Afzal = افضل
Akbar = اکبر
Amjad = امجد
Anwar / Anver = انور
Arshad = ارشد
Asghar / Asgher = اصغر
Azhar = اظہر
Fawad / Fuad / Fawaad = فواد
Faheem / Fahim = فہیم
Farooq / Faruq / Farouk = فاروق
Fazal / Fazl = فضل
Ghazanfar = غضنفر
Habib / Habeeb = حبیب
Hafeez = حفیظ
Hamid / Haamid = حامد
Hameed = حمید
Iqbal = اقبال
Jahangir / Jehangir = جہانگیر
Javed / Javaid / Jawed = جاوید
Kaleem / Kalim = کلیم
Karim / Kareem = کریم
Khurram / Khuram = خرم
Latif / Lateef = لطیف
Mahmood / Mehmood / Mahmud = محمود
Masood / Masud / Masoud = مسعود
Mubashir / Mubasher / Mubashar = مبشر
Mudassar / Mudassir / Mudasser = مدثر
Mujahid = مجاہد
Munir / Muneer = منیر
Mushtaq / Mushtaque = مشتاق
Naeem / Naim = نعیم
Najeeb / Najib = نجیب
Nasir / Naser / Nasser = ناصر
Naseer = نصیر
Obaid / Ubaid / Ubaed = عبید
Qaiser / Qaisar / Kaiser = قیصر
Rauf / Raoof = رؤف / رءوف
Rehman / Rahman = رحمان
Riaz / Riyaz / Riyaaz = ریاض
Saeed / Saied / Sayeed = سعید
Sajjad / Sajad = سجاد
Saleem / Salim = سلیم
Sarfraz / Sarfaraz = سرفراز
Shahbaz / Shahbaaz = شہباز
Shakeel / Shakil = شکیل
Shakir / Shaakir = شاکر
Shams = شمس
Sharif / Shareef = شریف
Shehzad / Shahzad = شہزاد
Shiraz / Sheraz = شیراز
Sikandar / Sikander / Sikendar = سکندر
Suhaib / Sohaib / Suhayb = صہیب
Taimur / Taimoor / Timur / Taymur = تیمور
Tayyab / Tayyeb / Taib = طیب
Usama / Osama / Usamah = اسامہ
Wahab / Wahaab = وہاب
Waqar = وقار
Zafar / Zafer = ظفر
Zaheer = ظہیر
Zaid / Zayd = زید
Zohaib / Zuhaib / Zohayb = زوہیب
Zulfiqar / Zulfikar / Zulfiqaar = ذوالفقار / ذو الفقار
Abdul Rehman / Abdur Rehman / Abdul Rahman / Abdulrehman = عبدالرحمٰن / عبدالرحمن / عبد الرحمن
Abdul Ghaffar / Abdulghaffar / Abdul Ghafar = عبدالغفار / عبد الغفار
Abdul Qadir / Abdulqadir / Abdul Kadir = عبدالقادر / عبد القادر
Abdul Basit / Abdulbasit = عبدالباسط / عبد الباسط
Abdul Wahab / Abdulwahab / Abdul Wahaab = عبدالوہاب / عبد الوہاب
Abdul Hadi / Abdulhadi = عبدالہادی / عبدالھادی
Abdul Samad / Abdulsamad / Abdus Samad = عبدالصمد / عبد الصمد
Abdul Salam / Abdussalam / Abdul Salaam = عبدالسلام / عبد السلام
Abdul Karim / Abdul Kareem / Abdulkarim = عبدالکریم / عبد الکریم
Abdul Jabbar / Abdul Jabar = عبدالجبار / عبد الجبار
Abdul Hameed / Abdulhameed / Abdul Hamid = عبدالحمید / عبد الحمید
Abdul Majeed / Abdul Majid / Abdulmajeed = عبدالمجید / عبد المجید
Abdul Aziz / Abdulaziz / Abdul Azeez = عبدالعزیز / عبد العزیز
Abdul Razzaq / Abdul Razaq / Abdurrazaq = عبدالرزاق / عبد الرزاق
Abdul Sattar / Abdul Satar / Abdussattar = عبدالستار / عبد الستار
Abdul Wahid / Abdul Waheed / Abdulwahid = عبدالواحد / عبد الواحد
Abdul Mateen / Abdul Matin = عبدالمتین / عبد المتین
Abdul Moiz / Abdul Muiz = عبدالمعز / عبد المعز
Abdul Haseeb / Abdul Hasib = عبدالحسیب / عبد الحسیب
Rahmatullah / Rahmat Ullah / Rehmatullah / Rahmatulla = رحمت اللہ / رحمت الله
Hidayatullah / Hidayat Ullah / Hidayatulla = ہدایت اللہ / ہدایت الله
Inamullah / Inam Ullah / Enamullah = انعام اللہ / انعام الله
Sanaullah / Sana Ullah / Sanaulla = ثناء اللہ / ثنا اللہ
Ziaullah / Zia Ullah / Ziaulla = ضیاء اللہ / ضیا اللہ
Ihsanullah / Ihsan Ullah / Ehsanullah = احسان اللہ / احسان الله
Kalimullah / Kaleemullah / Kalim Ullah = کلیم اللہ / کلیم الله
Habibullah / Habib Ullah / Habeebullah = حبیب اللہ / حبیب الله
Aminullah / Amin Ullah / Ameenullah = امین اللہ / امین الله
Naqeebullah / Naqibullah / Naqeeb Ullah = نقیب اللہ / نقیب الله
Asmatullah / Asmat Ullah = عصمت اللہ / عصمت الله
Saifullah / Saif Ullah / Saifulla = سیف اللہ / سیف الله
Azmatullah / Azmat Ullah = عظمت اللہ / عظمت الله
Shafiullah / Shafi Ullah = شفیع اللہ / شفیع الله
Samiullah / Sami Ullah / Samiulla = سمیع اللہ / سمیع الله
Najibullah / Najeebullah / Najib Ullah = نجیب اللہ / نجیب الله
Obaidullah / Ubaidullah / Ubaid Ullah = عبیداللہ / عبید اللہ
Nasrullah / Nasar Ullah / Nasrulla = نصراللہ / نصر اللہ
Atiq / Ateeq / Atique = عتیق
Ahsan = احسن
Ehsan / Ihsan / Ahsaan = احسان
Adeel / Adiel = عدیل
Aqeel / Aqil / Akeel = عقیل
Aftab / Aftaab = آفتاب
Ammar / Amaar / Ammaar = عمار
Asim / Aasim / Asem = عاصم
Azeem / Azim = عظیم
Basharat = بشارت
Daniyal / Danial / Daniel = دانیال
Ehtisham / Ihtisham / Ehtesham = احتشام
Faizan / Faizaan = فیضان
Faraz / Faraaz = فراز
Furqan / Furqaan / Furkan = فرقان
Hammad / Hamad = حماد
Hanzala / Hanzalah / Handhala = حنظلہ
Huzaifa / Hudhaifa / Huzaifah / Huzefa = حذیفہ
Jibran / Gibran / Jebran = جبران
Kabir / Kabeer = کبیر
Luqman / Lukman / Luqmaan = لقمان
Mohsin / Muhsin = محسن
Moin / Moeen / Muin = معین
Moiz / Muiz / Moez = معز
Muneeb / Munib = منیب
Rayyan / Rayan / Raiyan = ریان
Sabir / Saabir = صابر
Sadiq / Sadique / Saadiq = صادق
Safdar / Safder = صفدر
Shafqat / Shafkat = شفقت
Shahab / Shahaab / Shihab = شہاب
Shahrukh / Shah Rukh / Sharukh = شاہ رخ / شاہرخ
Shakoor / Shakur = شکور
Sufyan / Sufiyan / Sofyan = سفیان
Tabish / Taabish = تابش
Taha / Tahaa = طٰہٰ / طہ
Usaid / Osaid = اسید
Uzair / Uzayr / Ozair = عزیر
Wasif / Waasif = واصف
Yasin / Yaseen / Yasseen = یاسین / یٰسین
Zaman / Zamaan = زمان
Abrar / Abraar = ابرار
Adeeb / Adib = ادیب
Afaq / Afaaq / Aafaq = آفاق
Ahad / Ahaad = احد
Ajmal = اجمل
Akhtar / Akhter = اختر
Altaf / Altaaf = الطاف
Aman / Amaan = امان
Anees / Anis = انیس
Ansar / Ansaar = انصار
Bakht / Bakhat = بخت
Basit / Baasit = باسط
Burhan / Burhaan = برہان
Dilawar / Dilawer = دلاور
Fakhar / Fakhr = فخر
Farid / Fareed = فرید
Gohar / Gauhar / Gowhar = گوہر
Haseeb / Hasib = حسیب
Hilal / Hillal = ہلال
Imtiaz / Imtiyaz = امتیاز
Intizar / Intezar = انتظار
Irshad = ارشاد
Ishfaq / Ishfaque = اشفاق
Jalal / Jalaal = جلال
Jameel / Jamil = جمیل
Kamal / Kamaal = کمال
Khalil / Khaleel = خلیل
Khizar / Khizer / Khizr = خضر
Mazhar / Mazher = مظہر
Mehboob / Mahboob / Mehbub = محبوب
Mukhtar / Mukhtiar = مختار
Nawaz / Nawaaz = نواز
Niaz / Niyaz = نیاز
Nisar / Nisaar = نثار
Qamar / Kamar = قمر
Rafay / Rafae / Rafe = رافع
Rameez / Ramiz / Ramez = رمیز
Sagheer / Saghir = صغیر
Salahuddin / Salah Uddin / Salahudin = صلاح الدین / صلاح الدّین
Saif / Saef = سیف
Shamim / Shameem = شمیم
Shaukat / Shoukat / Showkat = شوکت
Siraj / Seeraj = سراج
Tufail / Tufayl = طفیل
Waheed / Wahid = وحید
Yameen / Yamin = یامین
Zakir / Zaakir = ذاکر
Zulqarnain / Zulqarnian / Zulqernain = ذوالقرنین / ذو القرنین
Zarrar / Zarar = ضرار
Ghazi = غازی
Jahanzaib / Jahanzeb = جہانزیب
Kamil / Kaamil = کامل
Moazzam / Muazzam = معظم / معظّم
Muzammil / Muzamil = مزمل / مزمّل
Rahim / Raheem = رحیم
Salar / Saalar = سالار
Shan / Shaan = شان
Taufeeq / Tawfiq / Toufiq = توفیق
Wajahat / Wajaht = وجاہت
Zahoor / Zahur = ظہور
Zia / Ziya = ضیاء / ضیا
Jan / Jaan = جان
Zarak = زرک
Bahadur / Bahadar = بہادر
Dost = دوست
Rustam / Rustum = رستم
Gulzar / Gulzaar = گلزار
Bakhtiar / Bakhtiyar = بختیار
Mehran / Mehraan = مہران
Shahdad / Shahdaad = شہداد
Nawab / Nawaab = نواب
Mumtaz = ممتاز
Dildar / Dildaar = دلدار
"""
)

GIRLS: list[Name] = _block(
    """
Fatima / Fatimah / Fatma = فاطمہ / فاطمة / فاطمه
Ayesha / Aisha / Aysha / Ayisha / Aesha = عائشہ / عایشہ / عائشة
Zainab / Zenab / Zaynab / Zainub = زینب
Maryam / Mariam / Mariyam / Maryum = مریم
Khadija / Khadeeja / Khadijah = خدیجہ / خدیجة
Amna / Aamna / Amina / Aamina = آمنہ / آمنة
Hira / Hiraa = حرا
Sana / Sanaa = ثنا / ثناء
Iqra / Iqraa / Ikra = اقرا / اقراء
Noor / Nur / Noore = نور
Zahra / Zehra / Zara / Zohra = زہرا / زہرہ / زارا
Rabia / Rabiya / Rabiah = رابعہ / رابعة
Sidra / Sidrah = سدرہ
Mehwish / Mahwish = مہوش
Laiba / Laibah = لائبہ / لایبہ
Areeba / Ariba / Areebah = عریبہ
Hafsa / Hafsah = حفصہ / حفصة
Saima / Saimah = صائمہ / صایمہ
Bushra / Bushrah = بشریٰ / بشری
Kiran / Kiraan = کرن
Shazia / Shaziya = شازیہ
Nazia / Naziya = نازیہ
Anum / Anam = انعم
Mahnoor / Mehnoor / Mahnur = ماہ نور / ماہنور
Shabana / Shabbana = شبانہ
Parveen / Perveen / Parvin = پروین
Rukhsana / Rukhsaana = رخسانہ
Zarmeena / Zarmina = زرمینہ
Sakina / Sakeena = سکینہ / سکینة
Aqsa / Aqsaa / Aksa = اقصیٰ / اقصی
Farah / Fara = فرح
Hina / Heena = حنا
Huma / Homa = ہما
Iram / Irum / Erum = ارم
Javeria / Javeriya / Juveria / Jawairia = جویریہ
Kainat / Kaynat / Kainaat = کائنات / کاینات
Maham / Mahum = ماہم
Maria / Mariya = ماریہ
Naila / Nayla = نائلہ / نایلہ
Nimra / Nimrah = نمرہ
Rida / Ridaa = ردا
Samina / Sameena = ثمینہ
Tahira / Tahirah = طاہرہ
Uzma / Uzmah = عظمیٰ / عظمی
Yasmeen / Yasmin / Yasmine = یاسمین / یاسمن
Alishba / Alishbah / Alishbaa = علیشبہ
Eman / Iman / Imaan = ایمان
Hamna / Hamnah = حمنہ
Misbah / Misba = مصباح
Mehak / Mahak / Mehek = مہک
Nida / Nidaa = ندا
Rimsha / Rimshah = رمشا
Sadia / Saadia / Sadiya = سعدیہ
Tayyaba / Tayyiba / Tayaba = طیبہ / طیّبہ
Urooj / Uruj = عروج
Wajiha / Wajeeha = وجیہہ / وجیہ
Zoya / Zoyaa = زویا
Asma / Asmaa = اسماء / اسما
Abida / Aabida = عابدہ
Adeela / Adila = عدیلہ
Afshan / Afshaan = افشاں / افشان
Aiman / Ayman = ایمن
Aleena / Alina = علینہ
Amber / Ambar = عنبر
Aneesa / Anisa = انیسہ
Aneela / Anila = انیلہ
Asia / Asiya / Aasia = آسیہ
Asifa / Aasifa = آصفہ
Ayat / Aayat = آیت
Azra / Uzra = عذرا
Bisma / Bismah = بسمہ
Benazir / Benazeer = بےنظیر / بینظیر
Dua / Duaa = دعا
Fiza / Fizza / Fizaa = فضا
Fariha / Fareeha = فریحہ
Farzana / Farzaana = فرزانہ
Fouzia / Fauzia / Fozia = فوزیہ
Ghazala / Ghazaala = غزالہ
Gulnaz / Gulnaaz = گلناز
Habiba / Habeeba = حبیبہ
Haleema / Halima = حلیمہ
Hajra / Hajira / Hajrah = ہاجرہ
Hadia / Hadiya = ہادیہ
Humaira / Humera / Humayra = حمیرا
Insha / Inshaa = انشا
Jannat / Jannaat / Janat = جنت
Kalsoom / Kulsoom / Kulsum = کلثوم
Komal / Kaumal = کومل
Lubna / Lubnaa = لبنیٰ / لبنی
Madiha / Madeeha = مدیحہ
Mahira / Maahira = ماہرہ
Malaika / Malaikah / Malaeka = ملائکہ / ملایکہ
Manahil / Manaahil = مناہل
Mehreen / Mehrin / Mahreen = مہرین
Maimoona / Memoona / Maimuna = میمونہ
Momina / Mominah = مومنہ
Muskan / Muskaan = مسکان
Nadia / Nadiya = نادیہ
Nageena / Nagina = نگینہ
Najma / Najmah = نجمہ
Naseem / Nasim = نسیم
Nasreen / Nasrin = نسرین / نسریں
Nazish / Naazish = نازش
Nighat / Nikhat / Nighet = نگہت
Noreen / Naureen / Nourin = نورین
Quratulain / Qurat ul Ain / Qurratulain / Qurratul Ain = قرۃ العین / قرة العین / قرت العین
Rafia / Rafiya = رافعہ
Raheela / Rahila = راحیلہ
Rani / Raani = رانی
Razia / Raziya = رضیہ
Rehana / Rihana / Raihana = ریحانہ
Riffat / Rifat = رفعت
Rubina / Robina / Rubeena = روبینہ
Rukhsar / Rukhsaar = رخسار
Sabahat = صباحت
Sabeen / Sabin = سبین
Sabiha / Sabeeha = صبیحہ
Sabira / Saabira = صابرہ
Sadaf / Sadaff = صدف
Safia / Safiya / Safiyya = صفیہ
Saira / Sairah = سائرہ / سایرہ
Salma / Salmaa = سلمیٰ / سلمی
Samia / Samiya = سامیہ
Sanam = صنم
Sawera / Savera / Saveera = سویرا
Shagufta / Shugufta = شگفتہ
Shaista / Shaysta = شائستہ / شایستہ
Shamim / Shameem = شمیم
Shireen / Shirin / Sheereen = شیریں / شیرین
Sobia / Sobiya = صوبیہ
Sumaira / Sumera / Sumayra = سمیرا
Sumbal / Sumbul / Sunbal = سنبل
Tabassum / Tabasum = تبسم
Tahmina / Tehmina / Tahmeena = تہمینہ / تہمنہ
Tanzeela / Tanzila = تنزیلہ
Tasneem / Tasnim = تسنیم
Warda / Wardah = وردہ
Yusra / Yusrah / Yousra = یسریٰ / یسرا
Zakia / Zakiya = ذکیہ
Zareena / Zarina = زرینہ
Zeenat / Zinat = زینت
Zubaida / Zubeda / Zubaidah = زبیدہ
Zulekha / Zulaikha / Zuleikha = زلیخا
Zunaira / Zunera / Zunairah = زنیرہ
Marwa / Marwah = مروہ
Mahjabeen / Mahjabin = مہ جبین / مہجبین
Saba / Sabaa = صبا
Sehar / Sahar = سحر
Shehla / Shahla = شہلا
Shumaila / Shumayla = شمائلہ / شمایلہ
Sughra / Sughran = صغریٰ / صغری
Kubra / Kubraa = کبریٰ / کبری
Naheed / Nahid = ناہید
Nuzhat / Nuzhet = نزہت
Rozina / Rozeena = روزینہ
Samreen / Samrin = ثمرین
Seema / Sima = سیما
Shahnaz / Shehnaz = شہناز
Tania / Taniya = تانیہ
Bibi = بی بی / بیبی
Gul / Gull = گل
Gulalai / Gulalay = گلالئی / گلالی
Gulnar / Gulnaar = گلنار
Gulshan / Gulshen = گلشن
Palwasha / Palwashah = پلوشہ
Mashal / Mashaal = مشعل
Malala / Malalai = ملالہ
Nazo / Nazoo = نازو
Shahida / Shaheeda = شاہدہ
Zarghuna / Zarghoona = زرغونہ
Bakhtawar / Bakhtawer = بختاور
Haseena / Hasina = حسینہ
Marvi / Maarvi = ماروی
Sassui / Sassi = سسی
Sohni / Sohnee = سوہنی
Naseema / Nasima = نسیمہ
Shakeela / Shakila = شکیلہ
Jameela / Jamila = جمیلہ
Kareema / Karima = کریمہ
Latifa / Lateefa = لطیفہ
Majida / Majeeda = ماجدہ
Nabeela / Nabila = نبیلہ
Naeema / Naima = نعیمہ
Rashida / Rasheeda = راشدہ
Saeeda / Saida = سعیدہ
Saleema / Salima = سلیمہ
Sharifa / Shareefa = شریفہ
Waheeda / Wahida = وحیدہ
Zahida / Zaheeda = زاہدہ
Hameeda / Hamida = حمیدہ
Hafeeza / Hafiza = حفیظہ
Khalida / Khaleda = خالدہ
Abeeha / Abiha = ابیہا
Anaya / Anaaya = انایا
Hoorain / Hurain / Hoorian = حورعین / حور عین
Inaya / Inaaya = عنایہ
Mahrukh / Mehrukh = ماہ رخ / ماہرخ
Manal / Manaal = منال
Mirha / Mirhah = مرحا
Pakeeza / Pakiza = پاکیزہ
Rania / Raniya = رانیہ
Sania / Saniya / Saniah = ثانیہ
Sumaya / Sumayya / Sumaiya = سمیہ / سمیّہ
Zoha / Zuha = ضحیٰ / ضحی
Ruqayya / Ruqaiya / Rukaya = رقیہ / رقیّہ
Attiya / Atiya = عطیہ
Ghazal / Ghazaal = غزل
Hooria / Huria = حوریہ
Isra / Israa = اسرا / اسراء
Kashaf / Kashf = کشف
Laraib / Laraeb = لاریب
Nayab / Nayaab = نایاب
Rameesha / Ramisha = رمیشہ
Sehrish / Sahrish = سحرش
Tooba / Tuba = طوبیٰ / طوبی
Urwa / Urwah = عروہ
Zarish / Zareesh = زرش
Aliya / Aaliya / Alia = عالیہ
Ameera / Amira = امیرہ
Anabia / Anabiya = انابیہ
Areesha / Arisha = اریشہ
Bano / Banoo = بانو
Durdana / Durdaana = دردانہ
Farwa / Farwah = فروا
Husna / Husnaa = حسنیٰ / حسنی
Musarrat / Musarat = مسرت
Nargis / Nargus = نرگس
Qudsia / Qudsiya = قدسیہ
Rubab / Rabab = رباب
Shabnam / Shabnum = شبنم
Sitara / Sitaara = ستارہ
Suraiya / Surayya / Suriya = ثریا
Tasleem / Taslim = تسلیم
Zebunnisa / Zeb un Nisa / Zebunnissa = زیب النساء / زیب النسا
Khairunnisa / Khair un Nisa = خیرالنساء / خیر النساء
Fakhra / Fakhrah = فاخرہ
Gulbano / Gul Bano = گل بانو / گلبانو
Kausar / Kosar / Kausir = کوثر
Nusrat / Nusret = نصرت
Shamsa / Shamsah = شمسہ
Ismat / Esmat = عصمت
Iffat / Iffet = عفت
Mehrunnisa / Mehr un Nisa / Mehrunisa = مہرالنساء / مہر النساء
Samra / Samrah = ثمرہ
Sara / Sarah = سارہ / سارا
"""
)

# Second parts of girls' names ("Fatima Bibi", "Fatima Zahra").
GIRL_SECOND: list[Name] = _block(
    """
Bibi = بی بی / بیبی
Noor / Nur = نور
Batool / Batul = بتول
Naz / Naaz = ناز
Khatoon / Khatun = خاتون
Begum / Begam = بیگم
Zahra / Zehra = زہرا / زہرہ
Jan / Jaan = جان
"""
)

# Fathers' whole names that are common as a whole ("Muhammad Aslam", "Allah Ditta").
FATHERS: list[Name] = _block(
    """
Muhammad Aslam / Mohammad Aslam = محمد اسلم
Ghulam Rasool / Ghulam Rasul = غلام رسول
Abdul Rehman / Abdul Rahman / Abdur Rehman = عبدالرحمٰن / عبدالرحمن
Muhammad Iqbal / Mohammad Iqbal = محمد اقبال
Allah Ditta / Allah Dita = اللہ دتہ / اللہ دتا
Muhammad Akram / Mohammad Akram = محمد اکرم
Khan Muhammad / Khan Mohammad = خان محمد
Sher Ali = شیر علی
Nazir Ahmed / Nazir Ahmad / Nazeer Ahmed = نذیر احمد
Bashir Ahmed / Bashir Ahmad / Basheer Ahmed = بشیر احمد
Manzoor Hussain / Manzoor Husain = منظور حسین
Muhammad Ramzan / Mohammad Ramzan / Muhammad Ramazan = محمد رمضان
Javed Iqbal / Javaid Iqbal = جاوید اقبال
Shahid Mehmood / Shahid Mahmood = شاہد محمود
Pervaiz Akhtar / Parvez Akhtar / Pervez Akhter = پرویز اختر
Riaz Ahmed / Riaz Ahmad = ریاض احمد
Muhammad Rafiq / Muhammad Rafique / Mohammad Rafiq = محمد رفیق
Abdul Ghaffar / Abdul Ghafar = عبدالغفار
Noor Muhammad / Nur Muhammad = نور محمد
Karim Bakhsh / Karim Bux / Kareem Bakhsh = کریم بخش
Ali Nawaz = علی نواز
Qadir Bakhsh / Qadir Bux = قادر بخش
Gul Zaman = گل زمان
Zahid Hussain / Zahid Husain = زاہد حسین
Muhammad Ashraf / Mohammad Ashraf = محمد اشرف
Liaquat Ali / Liaqat Ali = لیاقت علی
Sultan Mehmood / Sultan Mahmood = سلطان محمود
Fazal Rahim / Fazal Raheem = فضل رحیم
Dost Muhammad / Dost Mohammad = دوست محمد
Ghulam Haider / Ghulam Hyder = غلام حیدر
Abdul Qayyum / Abdul Qayum = عبدالقیوم
Muhammad Yaqoob / Muhammad Yaqub = محمد یعقوب
Muhammad Saleem / Mohammad Saleem / Muhammad Salim = محمد سلیم
Muhammad Sharif / Muhammad Shareef = محمد شریف
Muhammad Nawaz / Mohammad Nawaz = محمد نواز
Muhammad Shafi / Muhammad Shafee = محمد شفیع
Muhammad Siddique / Muhammad Siddiq = محمد صدیق
Muhammad Arif / Mohammad Arif = محمد عارف
Ghulam Mustafa / Ghulam Mustafah = غلام مصطفیٰ / غلام مصطفی
Ghulam Murtaza / Ghulam Murtuza = غلام مرتضیٰ / غلام مرتضی
Ghulam Abbas = غلام عباس
Ghulam Qadir = غلام قادر
Ghulam Nabi / Ghulam Nabbi = غلام نبی
Ghulam Sarwar / Ghulam Sarwer = غلام سرور
Allah Bakhsh / Allah Bux / Allah Baksh = اللہ بخش
Allah Dad / Allah Daad = اللہ داد
Khuda Bakhsh / Khuda Bux = خدا بخش
Imam Din / Imam Deen = امام دین
Fazal Din / Fazal Deen = فضل دین
Siraj Din / Siraj Deen = سراج دین
Umar Hayat / Umer Hayat = عمر حیات
Khizar Hayat / Khizer Hayat = خضر حیات
Sher Muhammad / Sher Mohammad = شیر محمد
Gul Muhammad / Gul Mohammad = گل محمد
Faiz Muhammad / Faiz Mohammad = فیض محمد
Wali Muhammad / Wali Mohammad = ولی محمد
Yar Muhammad / Yaar Muhammad = یار محمد
Shah Nawaz / Shahnawaz = شاہ نواز / شاہنواز
Abdul Majeed / Abdul Majid = عبدالمجید
Abdul Rasheed / Abdul Rashid = عبدالرشید
Abdul Sattar / Abdul Satar = عبدالستار
Abdul Razzaq / Abdul Razaq = عبدالرزاق
Zafar Iqbal / Zafer Iqbal = ظفر اقبال
Tariq Mehmood / Tariq Mahmood = طارق محمود
Khalid Mehmood / Khalid Mahmood = خالد محمود
Arshad Mehmood / Arshad Mahmood = ارشد محمود
Amjad Ali = امجد علی
Asghar Ali / Asgher Ali = اصغر علی
Mumtaz Ahmed / Mumtaz Ahmad = ممتاز احمد
Mushtaq Ahmed / Mushtaq Ahmad = مشتاق احمد
Ishtiaq Ahmed / Ishtiaq Ahmad = اشتیاق احمد
Ijaz Ahmed / Ejaz Ahmed / Ijaz Ahmad = اعجاز احمد
Shabbir Ahmed / Shabir Ahmed / Shabbir Ahmad = شبیر احمد
Iftikhar Ahmed / Iftikhar Ahmad = افتخار احمد
Yousaf Masih / Yusuf Masih = یوسف مسیح
"""
)

# Second words of fathers' names built from a given name ("Bilal Ahmed", "Tariq Mehmood"):
# also what brothers share, so cousins' fathers differ by their first word.
FATHER_SECOND: list[Name] = _block(
    """
Ahmed / Ahmad = احمد
Ali = علی
Hussain / Husain = حسین
Mehmood / Mahmood = محمود
Iqbal = اقبال
Akhtar / Akhter = اختر
Khan = خان
Nawaz = نواز
Din / Deen = دین
Bakhsh / Bux / Baksh = بخش
Shah = شاہ
Hayat = حیات
Zaman = زمان
Jan / Jaan = جان
Rasool / Rasul = رسول
Anwar / Anver = انور
Aslam = اسلم
Javed / Javaid = جاوید
Akbar = اکبر
Rehman / Rahman = رحمان
Ullah / Ulla = اللہ / الله
Muhammad / Mohammad = محمد
Gul = گل
Hassan / Hasan = حسن
Abbas = عباس
Raza = رضا
Haider / Hyder = حیدر
Qadir / Kadir = قادر
Nabi / Nabbi = نبی
Elahi / Ilahi = الٰہی / الہی
Dad / Daad = داد
Ditta / Dita = دتہ / دتا
Ashraf = اشرف
Latif / Lateef = لطیف
Rafiq / Rafique = رفیق
Siddique / Siddiq = صدیق
Farooq / Faruq = فاروق
Ghani / Ghanee = غنی
Wali = ولی
Karim / Kareem = کریم
Alam / Aalam = عالم
Amin / Ameen = امین
Arif = عارف
Riaz = ریاض
Rashid / Rasheed = رشید
Saleem / Salim = سلیم
Sharif / Shareef = شریف
Sarwar / Sarwer = سرور
Asghar / Asgher = اصغر
Afzal = افضل
Mumtaz = ممتاز
Nazir / Nazeer = نذیر
Bashir / Basheer = بشیر
Pervaiz / Parvez = پرویز
Ilyas = الیاس
Shafiq / Shafique = شفیق
Majeed / Majid = مجید
Hameed / Hamid = حمید
Sadiq / Sadique = صادق
Zafar = ظفر
Ghafoor / Ghafur = غفور
Masih = مسیح
"""
)

# Family or tribal names, by the p-code province digit of the district (PK6.. is Punjab).
FAMILY_BY_PROVINCE: dict[str, list[Name]] = {
    "1": _block(
        """
Mir = میر
Abbasi = عباسی
Rathore / Rathour = راٹھور
Sudhan / Sudhun = سدھن
Raja = راجہ / راجا
Chaudhry / Chaudhary = چوہدری / چودھری
Jarral / Jaral = جرال
Gujjar / Gujar = گجر
Awan = اعوان
Malik = ملک
Butt / Bhatt = بٹ
Mughal / Moghal = مغل
Khan = خان
Qureshi / Qureshy = قریشی
Kiani / Kayani = کیانی
Sheikh / Shaikh = شیخ
Syed / Sayed = سید / سیّد
Dar = ڈار
Lone = لون
Janjua / Janjuah = جنجوعہ
Satti = ستی
Dhund / Dhoond = ڈھونڈ
"""
    ),
    "2": _block(
        """
Baloch / Balouch = بلوچ
Kakar / Kakkar = کاکڑ
Marri / Mari = مری
Bugti = بگٹی
Mengal = مینگل
Achakzai / Achakzay = اچکزئی / اچکزی
Rind = رند
Raisani / Raeesani = رئیسانی / ریسانی
Jamali = جمالی
Magsi = مگسی
Bizenjo / Bezenjo = بزنجو
Zehri / Zahri = زہری
Mandokhail / Mandokhel = مندوخیل
Tareen / Tarin = ترین
Kasi / Kansi = کاسی / کانسی
Notezai / Noatezai = نوتیزئی
Lehri / Lahri = لہڑی
Domki = ڈومکی
Khosa = کھوسہ
Jogezai = جوگیزئی
Hasni = حسنی
Langove / Langau = لانگو
Shahwani = شاہوانی
Gichki / Gitchki = گچکی
Hazara = ہزارہ
Barech = بڑیچ
Luni / Loni = لونی
Musakhel / Musa Khel = موسیٰ خیل / موسی خیل
"""
    ),
    "3": _block(
        """
Baig / Beg = بیگ
Shah = شاہ
Balti = بلتی
Hunzai = ہنزائی
Nagri = نگری
Khan = خان
Shigri = شگری
Raja = راجہ / راجا
Syed / Sayed = سید / سیّد
Wazir = وزیر
Chilasi = چلاسی
Yasini = یاسینی
Ghizri = غذری
Mir = میر
"""
    ),
    "4": _block(
        """
Abbasi = عباسی
Qureshi / Qureshy = قریشی
Awan = اعوان
Malik = ملک
Raja = راجہ / راجا
Khan = خان
Satti = ستی
Kiani / Kayani = کیانی
Chaudhry / Chaudhary = چوہدری / چودھری
Gujjar / Gujar = گجر
Janjua / Janjuah = جنجوعہ
Mughal / Moghal = مغل
Syed / Sayed = سید / سیّد
Sheikh / Shaikh = شیخ
Bhatti / Bhati = بھٹی
"""
    ),
    "5": _block(
        """
Khan = خان
Khattak / Khatak = خٹک
Yousafzai / Yusufzai / Yousufzai = یوسفزئی / یوسف زئی
Afridi / Apridi = آفریدی / افریدی
Shinwari / Shinwary = شنواری
Wazir = وزیر
Mohmand / Momand = مہمند
Orakzai / Orakzay = اورکزئی
Bangash = بنگش
Durrani / Durani = درانی
Marwat = مروت
Gandapur / Gandapoor = گنڈاپور
Mehsud / Mahsud / Mehsood = محسود
Swati = سواتی
Tanoli / Tanooli = تنولی
Jadoon / Jadun = جدون
Kundi = کنڈی
Kakakhel / Kaka Khel = کاکاخیل / کاکا خیل
Mashwani = مشوانی
Tareen / Tarin = ترین
Utmankhel / Utman Khel = اتمان خیل
Safi = صافی
Shah = شاہ
Syed / Sayed = سید / سیّد
Awan = اعوان
Gujjar / Gujar = گجر
Mohmandzai = مہمندزئی
Dawar / Daur = داوڑ
"""
    ),
    "6": _block(
        """
Butt / Bhatt = بٹ
Awan = اعوان
Chaudhry / Chaudhary / Chohdry = چوہدری / چودھری
Malik = ملک
Rajput / Rajpoot = راجپوت
Ansari = انصاری
Arain / Araeen = آرائیں / ارائیں
Jatt / Jat = جٹ
Gujjar / Gujar = گجر
Sheikh / Shaikh = شیخ
Qureshi / Qureshy = قریشی
Bhatti / Bhati = بھٹی
Cheema / Chima = چیمہ
Gondal = گوندل
Warraich / Waraich = وڑائچ
Sandhu = سندھو
Bajwa = باجوہ
Virk / Wirk = ورک
Ghumman / Ghuman = گھمن
Tarar = تارڑ
Mughal / Moghal = مغل
Khokhar = کھوکھر
Kamboh = کمبوہ
Rana = رانا
Syed / Sayed = سید / سیّد
Niazi = نیازی
Dogar = ڈوگر
Mirza = مرزا
Baig / Beg = بیگ
Hashmi / Hashimi = ہاشمی
Gilani / Gillani / Geelani = گیلانی
Naqvi = نقوی
Rizvi = رضوی
Abbasi = عباسی
Janjua / Janjuah = جنجوعہ
Sial / Siyal = سیال
Joiya / Joya = جوئیہ
Wattoo / Watto = وٹو
Khosa = کھوسہ
Leghari / Laghari = لغاری
"""
    ),
    "7": _block(
        """
Memon / Moman = میمن
Soomro / Sumro = سومرو
Jatoi = جتوئی
Chandio = چانڈیو
Laghari / Leghari = لغاری
Shaikh / Sheikh = شیخ
Bhutto / Bhuttoo = بھٹو
Talpur = ٹالپر
Mahar / Maher = مہر
Junejo = جونیجو
Abro = ابڑو
Shah = شاہ
Syed / Sayed = سید / سیّد
Brohi = بروہی
Khoso = کھوسو
Lashari = لاشاری
Magsi = مگسی
Panhwar = پنھور
Qureshi / Qureshy = قریشی
Solangi = سولنگی
Mangi = منگی
Kalhoro = کلہوڑو
Samejo = سمیجو
Dahri = ڈاہری
Unar = انڑ
Channa = چنا
Arain / Araeen = آرائیں / ارائیں
Baloch / Balouch = بلوچ
Jamali = جمالی
Mirani = میرانی
Pathan = پٹھان
Rajput / Rajpoot = راجپوت
Khuhro = کھوڑو
Bhatti / Bhati = بھٹی
Mallah = ملاح
Jakhrani = جکھرانی
"""
    ),
}

# Names twins are often given as a pair (sex, first, second), as their Latin first spellings.
TWIN_NAMES: list[tuple[str, str, str]] = [
    ("male", "Hassan", "Hussain"),
    ("male", "Hasnain", "Hussain"),
    ("male", "Ali", "Wali"),
    ("female", "Fatima", "Zahra"),
    ("female", "Ayesha", "Amna"),
    ("female", "Hira", "Hina"),
    ("female", "Sana", "Saba"),
]
